/**
 * Giving up on a job that keeps stopping its workers, and only on that. BullMQ counts every stall of a job (its
 * lock lapsed: the worker was killed, or its event loop or Redis was too slow to renew the lock) and fails the job
 * past `maxStalledCount`, however far each run got — so a long partition interrupted by many unrelated crashes, or
 * by lock lapses on a loaded machine, was given up although another run had finished its messages. Here a run
 * counts against a partition only when it gets no further into the partition than an earlier run did: the job is
 * given up after MAX_RUNS_WITHOUT_PROGRESS such runs in a row (a message that kills every worker at the same
 * place), and an interruption after progress starts the count again.
 *
 * Per feed, one hash (`runs` in names.ts): `<n>:runs` runs of partition n since it last got further, `<n>:reached`
 * the list elements applied by its furthest run. Removed with the feed's other working keys once it is final; each
 * write also renews a week's expiry, so a job that runs again after that (its feed final) leaves nothing for long.
 *
 * The same rule gives up a claimed file whose reading keeps ending the process (ingest/claimed-file.ts, 97033);
 * docs/limits.md describes both stages.
 */
import { UnrecoverableError } from 'bullmq';
import type { RedisClient } from '../core/redis-client.js';
import type { FeedKeys } from './names.js';

export const MAX_RUNS_WITHOUT_PROGRESS = 10;
const KEEP_MS = 7 * 24 * 3600 * 1000;

export interface PartitionRun {
  /** The run has applied the partition's list up to `elements` (exclusive). */
  reached(elements: number): Promise<void>;
}

/** Counts a run of the partition; throws UnrecoverableError when too many runs in a row got nowhere. */
export async function startPartitionRun(
  redis: RedisClient,
  keys: Pick<FeedKeys, 'runs'>,
  partition: number,
): Promise<PartitionRun> {
  const runsField = `${partition}:runs`;
  const reachedField = `${partition}:reached`;
  const [runs, reachedBefore] = await Promise.all([
    redis.hincrby(keys.runs, runsField, 1),
    redis.hget(keys.runs, reachedField),
    redis.pexpire(keys.runs, KEEP_MS),
  ]);
  if (runs > MAX_RUNS_WITHOUT_PROGRESS)
    throw new UnrecoverableError(
      `partition ${partition} stopped ${runs - 1} runs in a row without getting past list element ${reachedBefore ?? 0}`,
    );
  let furthest = Number(reachedBefore ?? 0);
  return {
    async reached(elements) {
      if (elements <= furthest) return;
      furthest = elements;
      await Promise.all([
        redis.hset(keys.runs, reachedField, String(elements), runsField, '0'),
        redis.pexpire(keys.runs, KEEP_MS),
      ]);
    },
  };
}
