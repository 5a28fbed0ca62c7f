/** A connection to the test redis-server and a key prefix of the test's own, removed afterwards. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export function testRedisUrl(): string {
  const url = process.env['FEEDPROC_TEST_REDIS_URL'];
  if (!url)
    throw new Error(
      'FEEDPROC_TEST_REDIS_URL is not set: run the tests with `npm test` (jest global setup starts redis-server)',
    );
  return url;
}

export function uniquePrefix(): string {
  return `t-${randomUUID()}`;
}

export function connectTestRedis(): Redis {
  return new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
}

/** Deletes every key under the prefix. */
export async function removePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}
