/**
 * The partition run guard (src/queue/partition-runs.ts) against a real Redis: runs interrupted after getting
 * further never add up, however many there are; runs that stop at the same place in a row give the job up.
 */
import type { Redis } from 'ioredis';
import { UnrecoverableError } from 'bullmq';
import { feedKeys } from '../../src/queue/names.js';
import { MAX_RUNS_WITHOUT_PROGRESS, startPartitionRun } from '../../src/queue/partition-runs.js';
import { connectTestRedis, removePrefix, uniquePrefix } from '../helpers/redis.js';

const prefix = uniquePrefix();
let redis: Redis;
beforeAll(() => {
  redis = connectTestRedis();
});
afterAll(async () => {
  await removePrefix(redis, prefix);
  await redis.quit();
});

describe('the partition run guard', () => {
  it('never gives up a partition whose runs each got further, however many were interrupted', async () => {
    const keys = feedKeys(prefix, '1');
    for (let run = 1; run <= 3 * MAX_RUNS_WITHOUT_PROGRESS; run += 1) {
      const guard = await startPartitionRun(redis, keys, 7);
      await guard.reached(run * 64); // then the worker dies: the next run starts again
    }
    expect(await redis.hgetall(keys.runs)).toEqual({ '7:runs': '0', '7:reached': String(30 * 64) });
    expect(await redis.pttl(keys.runs)).toBeGreaterThan(0);
  });

  it('gives the partition up after runs in a row that got no further, and leaves other partitions alone', async () => {
    const keys = feedKeys(prefix, '2');
    const first = await startPartitionRun(redis, keys, 3);
    await first.reached(128);
    for (let run = 1; run <= MAX_RUNS_WITHOUT_PROGRESS; run += 1) {
      const again = await startPartitionRun(redis, keys, 3);
      await again.reached(64); // re-applies what an earlier run did, then dies at the same place
      await again.reached(128);
    }
    const refused = startPartitionRun(redis, keys, 3);
    await expect(refused).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(refused).rejects.toThrow(
      `partition 3 stopped ${MAX_RUNS_WITHOUT_PROGRESS} runs in a row without getting past list element 128`,
    );
    await expect(startPartitionRun(redis, keys, 4)).resolves.toBeDefined();
  });
});
