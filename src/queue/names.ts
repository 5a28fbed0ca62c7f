/**
 * Queue and feed-record keys (ledger keys are in apply/keys.ts). Feed keys share the tag `{f:<id>}`.
 *
 *   <prefix>:feeds:seq                 counter   the last FeedSubmissionId
 *   <prefix>:feeds                     zset      FeedSubmissionId -> score = id, for listing
 *   <prefix>:{f:<id>}:feed             hash      the feed record (type, merchant, SHA-256, status, dates, counts)
 *   <prefix>:{f:<id>}:validation       string    the validation report (JSON), kept until the final one exists
 *   <prefix>:{f:<id>}:part:<n>         list      messages of partition n waiting to be applied (chunks of lines, spill-line.ts; file order)
 *   <prefix>:{f:<id>}:results          hash      sequence number -> ledger result (JSON), only for refusals
 *   <prefix>:{f:<id>}:report           string    the final report (JSON)
 *   <prefix>:{f:<id>}:finalizing       string    short-lived lock: one worker finalises the report
 *   <prefix>:{f:<id>}:runs             hash      per partition: runs in a row without progress, furthest list element applied (partition-runs.ts)
 *   <prefix>:{f:<id>}:submitting       string    lease of the process validating and enqueueing the feed (renewed)
 *   <prefix>:{f:<id>}:recovering       string    short-lived lock: one recovery pass looks at a stuck feed at a time
 *   <prefix>:{m:<M>}:sha:<sha256>      string    FeedSubmissionId of the first feed with this content
 *   <prefix>:{m:<M>}:feeds             zset      the merchant's FeedSubmissionIds -> score = id, for the HTTP API
 *   <prefix>:{m:<M>}:destinations      hash      FEED_PROCESSING_FINISHED destinations: id -> JSON (url, sealed secret)
 *   <prefix>:{m:<M>}:feed-ends         stream    the outbox: one entry per feed that ended (feedId), while destinations exist
 *   <prefix>:{m:<M>}:feed-end:<feed>:<dest>  string  delivered: that notification was answered 2xx
 *   <prefix>:{m:<M>}:feed-end-lease:<entry>  string  short lease of the deliverer sending that entry
 * BullMQ's own keys live under <queue prefix>:<queue name>:… (see queuePrefix).
 */
import { merchantTag } from '../apply/keys.js';
import type { Config } from '../core/config.js';

export const APPLY_QUEUE = 'feed-apply';
export const APPLY_JOB = 'apply-partition';
/** Messages are spread over this many partitions by order, so one order's messages are applied in one job. */
export const PARTITIONS = 64;

export interface FeedKeys {
  feed: string;
  validation: string;
  part(n: number): string;
  /** Every partition's list key, 0 … PARTITIONS - 1. */
  parts: readonly string[];
  results: string;
  report: string;
  finalizing: string;
  runs: string;
  submitting: string;
  recovering: string;
}

export function feedKeys(prefix: string, feedId: string): FeedKeys {
  const tag = `${prefix}:{f:${feedId}}`;
  return {
    feed: `${tag}:feed`,
    validation: `${tag}:validation`,
    part: (n) => `${tag}:part:${n}`,
    parts: Array.from({ length: PARTITIONS }, (_, n) => `${tag}:part:${n}`),
    results: `${tag}:results`,
    report: `${tag}:report`,
    finalizing: `${tag}:finalizing`,
    runs: `${tag}:runs`,
    submitting: `${tag}:submitting`,
    recovering: `${tag}:recovering`,
  };
}

export const feedSequenceKey = (prefix: string): string => `${prefix}:feeds:seq`;
export const feedIndexKey = (prefix: string): string => `${prefix}:feeds`;
export const contentKey = (prefix: string, merchantId: string, sha256: string): string =>
  `${merchantTag(prefix, merchantId)}:sha:${sha256}`;
export const destinationsKey = (prefix: string, merchantId: string): string =>
  `${merchantTag(prefix, merchantId)}:destinations`;
export const feedEndsKey = (prefix: string, merchantId: string): string =>
  `${merchantTag(prefix, merchantId)}:feed-ends`;
export const feedEndDeliveredKey = (
  prefix: string,
  merchantId: string,
  feedId: string,
  destinationId: string,
): string => `${merchantTag(prefix, merchantId)}:feed-end:${feedId}:${destinationId}`;
export const feedEndLeaseKey = (prefix: string, merchantId: string, entryId: string): string =>
  `${merchantTag(prefix, merchantId)}:feed-end-lease:${entryId}`;
export const merchantFeedIndexKey = (prefix: string, merchantId: string): string =>
  `${merchantTag(prefix, merchantId)}:feeds`;

/**
 * BullMQ's `prefix`. On one redis-server it is the prefix itself (`feedproc:feed-apply:…`, as before Cluster
 * support, so queued jobs survive an upgrade). On a Redis Cluster BullMQ's scripts touch many keys of a queue at
 * once, which must share a slot: the prefix becomes the hash tag `{<prefix>}` (`{feedproc}:feed-apply:…`), and the
 * whole queue lives on one master — the ledger and feed keys, spread by `{m:…}` / `{f:…}`, carry the load.
 */
export function queuePrefix(config: Pick<Config, 'prefix' | 'redisCluster'>): string {
  return config.redisCluster === null ? config.prefix : `{${config.prefix}}`;
}

/** BullMQ job ids may not contain ':' and must not be bare integers. */
export const jobId = (feedId: string, partition: number): string => `feed${feedId}-p${partition}`;

/** Stable partition of an order key (FNV-1a): the same order always lands in the same partition. */
export function partitionOf(orderKey: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < orderKey.length; i += 1) {
    hash ^= orderKey.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % PARTITIONS;
}
