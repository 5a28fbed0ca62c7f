/** Feed records: what was submitted, by whom, its status and counts (MWS FeedSubmissionInfo). */
import type { Redis } from 'ioredis';
import type { Report } from '../core/types.js';
import { feedIndexKey, feedKeys, feedSequenceKey } from './names.js';

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
}

/** FeedSubmissionIds count up from 50001, numeric like Amazon's. */
export async function nextFeedId(redis: Redis, prefix: string): Promise<string> {
  const id = await redis.incr(feedSequenceKey(prefix));
  return String(50000 + id);
}

export async function saveFeed(redis: Redis, prefix: string, record: FeedRecord): Promise<void> {
  const fields = Object.entries(record).flatMap(([k, v]) => [k, v === null ? '' : String(v)]);
  await redis.multi().hset(feedKeys(prefix, record.feedSubmissionId).feed, ...fields).zadd(feedIndexKey(prefix), Number(record.feedSubmissionId), record.feedSubmissionId).exec();
}

export async function loadFeed(redis: Redis, prefix: string, feedId: string): Promise<FeedRecord | null> {
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
  };
}

export async function listFeeds(redis: Redis, prefix: string, limit = 100): Promise<FeedRecord[]> {
  const ids = await redis.zrevrange(feedIndexKey(prefix), 0, limit - 1);
  const records = await Promise.all(ids.map((id) => loadFeed(redis, prefix, id)));
  return records.filter((r): r is FeedRecord => r !== null);
}

export async function loadReport(redis: Redis, prefix: string, feedId: string): Promise<Report | null> {
  const raw = await redis.get(feedKeys(prefix, feedId).report);
  return raw === null ? null : (JSON.parse(raw) as Report);
}
