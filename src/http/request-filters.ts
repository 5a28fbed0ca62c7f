/** Parsing the feed filters both doors accept (MWS list parameters, JSON API query strings) into FeedFilters. */
import { FeedError } from '../core/errors.js';
import type { FeedStatus } from '../queue/feed-store.js';
import type { FeedFilters } from './feed-service.js';

/** Every FeedProcessingStatus MWS knows; the ones feedproc never uses are accepted and match no feed. */
const STATUSES: readonly string[] = [
  '_SUBMITTED_',
  '_IN_PROGRESS_',
  '_DONE_',
  '_CANCELLED_',
  '_AWAITING_ASYNCHRONOUS_REPLY_',
  '_IN_SAFETY_NET_',
  '_UNCONFIRMED_',
];

export function parseDate(name: string, value: string | undefined): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value))
    throw new FeedError('HTTP_PARAMETER_INVALID', { name, value, detail: 'expected an ISO 8601 date' });
  return date;
}

export function parseStatuses(name: string, values: string[]): FeedStatus[] {
  for (const value of values) {
    if (!STATUSES.includes(value))
      throw new FeedError('HTTP_PARAMETER_INVALID', { name, value, detail: `one of ${STATUSES.join(', ')}` });
  }
  return values as FeedStatus[];
}

export function parseIds(name: string, values: string[]): string[] {
  if (values.length > 100)
    throw new FeedError('HTTP_PARAMETER_INVALID', { name, value: `${values.length} ids`, detail: 'at most 100' });
  for (const value of values)
    if (!/^\d{1,20}$/.test(value))
      throw new FeedError('HTTP_PARAMETER_INVALID', { name, value, detail: 'a FeedSubmissionId is a number' });
  return values;
}

/** MaxCount: default 10, 1–100 (MWS rejects more than 100). */
export function parseMaxCount(name: string, value: string | undefined): number {
  if (value === undefined || value === '') return 10;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 100)
    throw new FeedError('HTTP_PARAMETER_INVALID', { name, value, detail: 'a whole number from 1 to 100' });
  return count;
}

export function filtersOf(
  parts: { ids: string[]; feedTypes: string[]; statuses: string[]; from?: string | undefined; to?: string | undefined },
  names: Record<'ids' | 'statuses' | 'from' | 'to', string>,
): FeedFilters {
  return {
    ids: parts.ids.length > 0 ? parseIds(names.ids, parts.ids) : undefined,
    feedTypes: parts.feedTypes.length > 0 ? parts.feedTypes : undefined,
    statuses: parts.statuses.length > 0 ? parseStatuses(names.statuses, parts.statuses) : undefined,
    from: parseDate(names.from, parts.from),
    to: parseDate(names.to, parts.to),
  };
}
