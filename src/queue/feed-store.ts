/** Feed records: what was submitted, by whom, its status and counts (MWS FeedSubmissionInfo). */
import type { RedisClient } from '../core/redis-client.js';
import type { LedgerRedis } from '../apply/scripts.js';
import type { Report } from '../core/types.js';
import {
  destinationsKey,
  feedEndsKey,
  feedIndexKey,
  feedKeys,
  feedSequenceKey,
  merchantFeedIndexKey,
} from './names.js';

export type FeedStatus = '_SUBMITTED_' | '_IN_PROGRESS_' | '_DONE_' | '_CANCELLED_';

export interface FeedRecord {
  feedSubmissionId: string;
  feedType: string | null;
  merchantId: string;
  sha256: string;
  fileName: string;
  status: FeedStatus;
  submittedDate: string;
  startedProcessingDate: string | null;
  completedProcessingDate: string | null;
  /** Messages in the file, and how many of them were valid and handed to the workers. */
  messages: number;
  pending: number;
  /** Set when the content was already submitted by this merchant. */
  duplicateOf: string | null;
  /** What the recovery pass decided about the feed (queue/recovery.ts), for its page; null when it never acted. */
  recovery: string | null;
}

/** A feed as it is received: `_SUBMITTED_`, nothing started or counted yet. */
export function submittedRecord(
  received: Pick<FeedRecord, 'feedSubmissionId' | 'feedType' | 'merchantId' | 'sha256' | 'fileName' | 'submittedDate'>,
): FeedRecord {
  return {
    ...received,
    status: '_SUBMITTED_',
    startedProcessingDate: null,
    completedProcessingDate: null,
    messages: 0,
    pending: 0,
    duplicateOf: null,
    recovery: null,
  };
}

/** FeedSubmissionIds count up from 50001, numeric like Amazon's. */
export async function nextFeedId(redis: RedisClient, prefix: string): Promise<string> {
  const id = await redis.incr(feedSequenceKey(prefix));
  return String(50000 + id);
}

/**
 * Writes the record, then lists it in the global and the merchant's index. Three keys in three Cluster slots
 * (`{f:<id>}`, the untagged `<p>:feeds`, `{m:<M>}`), so not one MULTI: the record is written first and
 * acknowledged before it is listed, so a listed id always has its record; a crash in between leaves a record
 * nobody lists yet, and the next save of the same feed (every status change saves) lists it. The ZADDs are
 * idempotent.
 */
export async function saveFeed(redis: RedisClient, prefix: string, record: FeedRecord): Promise<void> {
  if (isEnd(record.status)) await announceFeedEnd(redis, prefix, record);
  const fields = Object.entries(record).flatMap(([k, v]) => [k, v === null ? '' : String(v)]);
  const id = record.feedSubmissionId;
  await redis.hset(feedKeys(prefix, id).feed, ...fields);
  await Promise.all([
    redis.zadd(feedIndexKey(prefix), Number(id), id),
    redis.zadd(merchantFeedIndexKey(prefix, record.merchantId), Number(id), id),
  ]);
}

/**
 * The FEED_PROCESSING_FINISHED outbox: when the merchant has notification destinations, an ended feed is added to
 * its stream *before* the status is written, so a crash in between cannot lose the notification (the deliverer
 * waits until the record says the feed has ended; a repeated entry is delivered once per destination).
 */
export async function announceFeedEnd(redis: RedisClient, prefix: string, record: FeedOwner): Promise<void> {
  if ((await redis.exists(destinationsKey(prefix, record.merchantId))) === 0) return;
  await redis.xadd(feedEndsKey(prefix, record.merchantId), '*', 'feedId', record.feedSubmissionId);
}

/** A feed's id and merchant: what announcing its end needs. */
export type FeedOwner = Pick<FeedRecord, 'feedSubmissionId' | 'merchantId'>;

const isEnd = (status: FeedStatus): boolean => status === '_DONE_' || status === '_CANCELLED_';

/**
 * Moves a feed from status `from` to `to` (setting `fields` and, when given, storing `report`) only if it is still
 * in `from`; returns the status it had (null: no such feed). Starting and cancelling race through this. A move to
 * an end is announced first, as saveFeed does (an announcement whose move then loses the race is delivered with
 * whatever end the feed does reach).
 */
export async function moveFeedStatus(
  redis: LedgerRedis,
  prefix: string,
  feed: FeedOwner,
  move: { from: FeedStatus; to: FeedStatus; fields: Record<string, string>; report?: Report },
): Promise<FeedStatus | null> {
  if (isEnd(move.to)) await announceFeedEnd(redis, prefix, feed);
  const keys = feedKeys(prefix, feed.feedSubmissionId);
  const report = move.report ? JSON.stringify(move.report) : '';
  const before = (await redis.moveFeedStatus(
    keys.feed,
    keys.report,
    move.from,
    move.to,
    report,
    ...Object.entries(move.fields).flat(),
  )) as string;
  return before === '' ? null : (before as FeedStatus);
}

/**
 * What SP-API createFeed was told beside the record's own fields: its marketplaces and input document. Kept in the
 * record's hash under names saveFeed never writes, so that no later status change overwrites them.
 */
export async function saveSpApiOrigin(
  redis: RedisClient,
  prefix: string,
  feedId: string,
  origin: { marketplaceIds: readonly string[]; documentId: string },
): Promise<void> {
  await redis.hset(feedKeys(prefix, feedId).feed, {
    spMarketplaceIds: origin.marketplaceIds.join(','),
    spDocumentId: origin.documentId,
  });
}

/** The marketplaces the feed was created for at SP-API createFeed; [] for a feed of another door. */
export async function loadMarketplaceIds(redis: RedisClient, prefix: string, feedId: string): Promise<string[]> {
  const stored = await redis.hget(feedKeys(prefix, feedId).feed, 'spMarketplaceIds');
  return stored ? stored.split(',') : [];
}

export async function loadFeed(redis: RedisClient, prefix: string, feedId: string): Promise<FeedRecord | null> {
  const raw = await redis.hgetall(feedKeys(prefix, feedId).feed);
  if (!raw['feedSubmissionId']) return null;
  const orNull = (v: string | undefined): string | null => (v ? v : null);
  return {
    feedSubmissionId: raw['feedSubmissionId'],
    feedType: orNull(raw['feedType']),
    merchantId: raw['merchantId'] ?? '',
    sha256: raw['sha256'] ?? '',
    fileName: raw['fileName'] ?? '',
    status: (raw['status'] ?? '_SUBMITTED_') as FeedStatus,
    submittedDate: raw['submittedDate'] ?? '',
    startedProcessingDate: orNull(raw['startedProcessingDate']),
    completedProcessingDate: orNull(raw['completedProcessingDate']),
    messages: Number(raw['messages'] ?? 0),
    pending: Number(raw['pending'] ?? 0),
    duplicateOf: orNull(raw['duplicateOf']),
    recovery: orNull(raw['recovery']),
  };
}

export async function listFeeds(redis: RedisClient, prefix: string, limit = 100): Promise<FeedRecord[]> {
  const ids = await redis.zrevrange(feedIndexKey(prefix), 0, limit - 1);
  const records = await Promise.all(ids.map((id) => loadFeed(redis, prefix, id)));
  return records.filter((r): r is FeedRecord => r !== null);
}

export async function loadReport(redis: RedisClient, prefix: string, feedId: string): Promise<Report | null> {
  const raw = await redis.get(feedKeys(prefix, feedId).report);
  return raw === null ? null : (JSON.parse(raw) as Report);
}

export interface ReportHead {
  statusCode: Report['statusCode'];
  summary: Report['summary'];
}

/**
 * A stored report's status and summary without its results (which can run to megabytes): read from the head
 * of the JSON, where `complete`/`reject` put them before the results; the whole report only if they are not there.
 */
export async function loadReportHead(redis: RedisClient, prefix: string, feedId: string): Promise<ReportHead | null> {
  const head = await redis.getrange(feedKeys(prefix, feedId).report, 0, 2047);
  if (head === '') return null;
  const match = /"statusCode":"(Complete|Rejected)","summary":(\{[^{}]*\})/.exec(head);
  if (match)
    return {
      statusCode: match[1] as Report['statusCode'],
      summary: JSON.parse(match[2] as string) as Report['summary'],
    };
  const report = await loadReport(redis, prefix, feedId);
  return report ? { statusCode: report.statusCode, summary: report.summary } : null;
}

/** MWS FeedSubmissionInfo. */
export function feedInfo(record: FeedRecord): Record<string, unknown> {
  return {
    feedSubmissionId: record.feedSubmissionId,
    feedType: record.feedType,
    merchantId: record.merchantId,
    submittedDate: record.submittedDate,
    feedProcessingStatus: record.status,
    startedProcessingDate: record.startedProcessingDate,
    completedProcessingDate: record.completedProcessingDate,
    messages: record.messages,
    duplicateOf: record.duplicateOf,
  };
}
