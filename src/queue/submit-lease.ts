/**
 * The submitter's lease: while a process validates a feed's file and enqueues its jobs it holds
 * `{f:<id>}:submitting`, renewed every 2 s and gone 10 s after the process dies. A feed `_IN_PROGRESS_` whose
 * lease is gone and that has no validation report died while its file was read: nothing of it was enqueued,
 * so a new submission of the same content may cancel it and take the content over. One with a validation
 * report died between validating and enqueueing (or later): its jobs are enqueued again — harmless when they
 * exist, since BullMQ keeps one job per id and the ledger's marks keep every message applied once.
 */
import { randomUUID } from 'node:crypto';
import { finalizeFeed } from './finalize-feed.js';
import { loadFeed, saveFeed, type FeedRecord } from './feed-store.js';
import { APPLY_JOB, feedKeys, jobId } from './names.js';
import type { PipelineDeps } from './pipeline-deps.js';

const LEASE_MS = 10_000;
const RENEW_MS = 2_000;
const POLL_MS = 250;

export interface SubmitLease {
  release(): Promise<void>;
}

/** Takes the feed's lease, waiting while another live process holds it. */
export async function takeSubmitLease(deps: PipelineDeps, feedId: string): Promise<SubmitLease> {
  const key = feedKeys(deps.config.prefix, feedId).submitting;
  const token = randomUUID();
  while ((await deps.redis.set(key, token, 'PX', LEASE_MS, 'NX')) !== 'OK') await sleep(POLL_MS);
  const renew = setInterval(() => void deps.redis.pexpire(key, LEASE_MS).catch(() => undefined), RENEW_MS);
  renew.unref();
  return {
    async release() {
      clearInterval(renew);
      if ((await deps.redis.get(key)) === token) await deps.redis.del(key);
    },
  };
}

/** Waits until no process holds the feed's lease, then returns the feed as it is. */
export async function settledFeed(deps: PipelineDeps, feedId: string): Promise<FeedRecord | null> {
  const key = feedKeys(deps.config.prefix, feedId).submitting;
  while ((await deps.redis.exists(key)) === 1) await sleep(POLL_MS);
  return loadFeed(deps.redis, deps.config.prefix, feedId);
}

/** What a settled feed still needs: nothing, its jobs enqueued again, or (died mid-validation) to be redone. */
export async function strandedState(
  deps: PipelineDeps,
  record: FeedRecord | null,
): Promise<'settled' | 'validated' | 'unvalidated'> {
  if (!record || record.status !== '_IN_PROGRESS_') return 'settled';
  const validated = (await deps.redis.exists(feedKeys(deps.config.prefix, record.feedSubmissionId).validation)) === 1;
  return validated ? 'validated' : 'unvalidated';
}

/** One job per partition (job ids are per feed and partition, so adding them again adds nothing twice). */
export async function enqueuePartitions(
  deps: PipelineDeps,
  feedId: string,
  partitions: readonly number[],
): Promise<void> {
  if (partitions.length === 0) {
    await finalizeFeed(deps, feedId);
    return;
  }
  await deps.queue.addBulk(
    partitions.map((partition) => ({
      name: APPLY_JOB,
      data: { feedId, partition },
      opts: { jobId: jobId(feedId, partition) },
    })),
  );
}

/** Enqueues again the jobs of a validated feed whose submitter died: one per partition list still there. */
export async function enqueueRemaining(deps: PipelineDeps, feedId: string): Promise<void> {
  const { parts } = feedKeys(deps.config.prefix, feedId);
  const pipeline = deps.redis.pipeline();
  for (const key of parts) pipeline.exists(key);
  const found = (await pipeline.exec()) ?? [];
  const failed = found.find(([err]) => err !== null);
  if (failed) throw failed[0] as Error; // a partition taken for empty would never be applied
  await enqueuePartitions(
    deps,
    feedId,
    found.flatMap(([, exists], n) => (exists === 1 ? [n] : [])),
  );
}

/** Cancels a feed that died while its file was read: its spilled messages go, and it keeps no content. */
export async function cancelUnvalidated(deps: PipelineDeps, record: FeedRecord): Promise<void> {
  const keys = feedKeys(deps.config.prefix, record.feedSubmissionId);
  await deps.redis.del(...keys.parts, keys.results);
  await saveFeed(deps.redis, deps.config.prefix, {
    ...record,
    status: '_CANCELLED_',
    completedProcessingDate: deps.now(),
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
