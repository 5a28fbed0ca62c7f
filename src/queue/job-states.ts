/**
 * The BullMQ states of one feed's remaining jobs (one per partition still waiting to be applied), for the feed's
 * own page: merchants see their feeds' jobs there, while the queue dashboard, which holds every merchant's
 * jobs, is for operators only.
 */
import { feedKeys, jobId, type FeedKeys } from './names.js';
import type { PipelineDeps } from './pipeline-deps.js';

/** The partitions of a feed still waiting to be applied: their lists exist until their job applied them. */
export async function remainingPartitions(deps: PipelineDeps, keys: Pick<FeedKeys, 'parts'>): Promise<number[]> {
  const remaining: number[] = [];
  for (const [n, key] of keys.parts.entries()) if ((await deps.redis.exists(key)) === 1) remaining.push(n);
  return remaining;
}

/** State → number of jobs, e.g. { active: 2, delayed: 1 }; `missing` for a partition without a job. */
export async function feedJobStates(deps: PipelineDeps, feedId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const n of await remainingPartitions(deps, feedKeys(deps.config.prefix, feedId))) {
    const job = await deps.queue.getJob(jobId(feedId, n));
    const state = job ? await job.getState() : 'missing';
    counts[state] = (counts[state] ?? 0) + 1;
  }
  return counts;
}
