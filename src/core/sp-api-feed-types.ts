/**
 * The SP-API Feeds API (2021-06-30) names of the feed types feedproc processes, and its processing statuses.
 * SP-API spells the MWS names without the enclosing underscores; the XML and flat listings feeds were retired
 * there on 31 July 2025 (inventory goes through JSON_LISTINGS_FEED), so this door refuses them with FATAL.
 */
import { FEED_TYPES, JSON_LISTINGS_FEED } from './feed-types.js';

/** Listings feed types SP-API no longer accepts; the drop folder and the MWS door still take them. */
const RETIRED = new Set([
  '_POST_INVENTORY_AVAILABILITY_DATA_',
  '_POST_FLAT_FILE_INVLOADER_DATA_',
  '_POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA_',
]);

export type SpApiFeedType =
  | { kind: 'accepted'; feedType: string }
  | { kind: 'retired'; feedType: string }
  | { kind: 'unknown'; feedType: string };

/** The feedproc feed type's SP-API name: `_POST_X_` → `POST_X`; JSON_LISTINGS_FEED stays. */
export function spApiName(feedType: string): string {
  return feedType === JSON_LISTINGS_FEED ? feedType : feedType.replace(/^_(.*)_$/, '$1');
}

/** What an SP-API feed type name means here: only the exact SP-API spelling is recognised. */
export function spApiFeedType(name: string): SpApiFeedType {
  const found = FEED_TYPES.find((t) => spApiName(t.feedType) === name);
  if (!found) return { kind: 'unknown', feedType: name };
  return { kind: RETIRED.has(found.feedType) ? 'retired' : 'accepted', feedType: found.feedType };
}

/** The SP-API names this door accepts, for error texts and docs. */
export const ACCEPTED_SP_API_TYPES: readonly string[] = FEED_TYPES.filter((t) => !RETIRED.has(t.feedType)).map((t) =>
  spApiName(t.feedType),
);

export type SpApiStatus = 'IN_QUEUE' | 'IN_PROGRESS' | 'DONE' | 'CANCELLED' | 'FATAL';

/** A feed record's status as SP-API says it: a rejected feed (the whole document refused) is FATAL. */
export function spApiStatus(status: string, rejected: boolean): SpApiStatus {
  if (status === '_SUBMITTED_') return 'IN_QUEUE';
  if (status === '_IN_PROGRESS_') return 'IN_PROGRESS';
  if (status === '_CANCELLED_') return 'CANCELLED';
  return rejected ? 'FATAL' : 'DONE';
}

/** The feed record statuses an SP-API status filter looks for. */
export function recordStatusesOf(status: string): string[] {
  const map: Record<string, string> = {
    IN_QUEUE: '_SUBMITTED_',
    IN_PROGRESS: '_IN_PROGRESS_',
    CANCELLED: '_CANCELLED_',
    DONE: '_DONE_',
    FATAL: '_DONE_',
  };
  return map[status] ? [map[status]] : [];
}

const RESULT_DOCUMENT = /^amzn1\.tortuga\.feedproc\.result\.(\d{1,20})$/;

/** A feed's result document id: derived from the feed id (the merchant is checked on every use). */
export const resultDocumentId = (feedId: string): string => `amzn1.tortuga.feedproc.result.${feedId}`;

export function feedIdOfResultDocument(documentId: string): string | null {
  return RESULT_DOCUMENT.exec(documentId)?.[1] ?? null;
}
