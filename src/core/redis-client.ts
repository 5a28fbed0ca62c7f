/**
 * The Redis client type the pipeline takes: one redis-server (`Redis`) or a Redis Cluster (`Cluster`), both from
 * ioredis with the same commands. What differs and is handled here: SCAN on a Cluster reaches one node only,
 * so key listings walk every master; server-wide settings are read from every master.
 */
import type { Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;

export function isCluster(redis: RedisClient): redis is Cluster {
  return (redis as { isCluster?: boolean }).isCluster === true;
}

/** The servers that hold keys: the one server, or every master of the Cluster (replicas hold copies). */
export function dataNodes(redis: RedisClient): Redis[] {
  return isCluster(redis) ? redis.nodes('master') : [redis];
}

/**
 * Every key matching `pattern` (with `type`: only keys of that Redis type), from all data nodes. A key appears
 * once per node it lives on, which is once (SCAN may repeat a key while a node rehashes: deduplicated here).
 */
export async function scanKeys(redis: RedisClient, pattern: string, type?: string): Promise<string[]> {
  const found = new Set<string>();
  for (const node of dataNodes(redis)) {
    let cursor = '0';
    do {
      const [next, keys] =
        type === undefined
          ? await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
          : await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000, 'TYPE', type);
      cursor = next;
      for (const key of keys) found.add(key);
    } while (cursor !== '0');
  }
  return [...found];
}
