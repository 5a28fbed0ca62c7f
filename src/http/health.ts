/**
 * `GET /health`: whether this server can do its work, which needs Redis to answer and to accept writes. A Redis
 * at its maxmemory with noeviction still answers PING while refusing every write, so a PING alone would say "ok"
 * while every upload fails; a small expiring write tells the truth.
 */
import { isOutOfMemory } from '../apply/redis-failures.js';
import type { RedisClient } from '../core/redis-client.js';

/** The one key the probe writes (expires by itself). */
import { healthProbeKey } from './keys.js';

export interface Health {
  status: 'ok' | 'unavailable';
  redis: 'up' | 'full' | 'down';
  reason?: string;
}

export async function checkHealth(redis: RedisClient, prefix: string): Promise<Health> {
  try {
    await redis.set(healthProbeKey(prefix), String(Date.now()), 'PX', 10_000);
    return { status: 'ok', redis: 'up' };
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    if (isOutOfMemory(err))
      return { status: 'unavailable', redis: 'full', reason: `Redis refuses writes (out of memory): ${detail}` };
    return { status: 'unavailable', redis: 'down', reason: `Redis does not answer: ${detail}` };
  }
}
