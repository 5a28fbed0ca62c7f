/**
 * What a pipeline run leaves in Redis, split by key: the ledger itself (orders and their purchase-date index,
 * MerchantOrderID map, stock, the cancellation events that the buyer e-mail and the cancel rate read — the
 * ledger keys of apply/keys.ts) and everything else (feed records, reports, exactly-once marks, queue
 * leftovers). MEMORY USAGE with SAMPLES 0 counts every element exactly.
 */
import { scanKeys, type RedisClient } from '../../dist/core/redis-client.js';

const LEDGER_KEY = /:\{m:[^}]*\}:(order:|morder:|stock$|events$|orders-by-purchase$)/;
const SCAN_BATCH = 1000;

export interface Footprint {
  ledgerBytes: number;
  otherBytes: number;
  otherKeys: number;
  otherBytesPerSuccessful: number;
  /** The biggest keys outside the ledger, to show where the bytes are. */
  otherTop: Array<[string, number]>;
}

export async function redisFootprint(redis: RedisClient, prefix: string, successful: number): Promise<Footprint> {
  let ledgerBytes = 0;
  const other: Array<[string, number]> = [];
  const all = await scanKeys(redis, `${prefix}:*`);
  for (let first = 0; first < all.length; first += SCAN_BATCH) {
    const keys = all.slice(first, first + SCAN_BATCH);
    const sizes = await Promise.all(
      keys.map((key) => redis.memory('USAGE', key, 'SAMPLES', 0) as Promise<number | null>),
    );
    keys.forEach((key, i) => {
      const bytes = sizes[i] ?? 0;
      if (LEDGER_KEY.test(key)) ledgerBytes += bytes;
      else other.push([key, bytes]);
    });
  }
  const otherBytes = other.reduce((sum, [, bytes]) => sum + bytes, 0);
  return {
    ledgerBytes,
    otherBytes,
    otherKeys: other.length,
    otherBytesPerSuccessful: successful > 0 ? Math.round((otherBytes / successful) * 10) / 10 : 0,
    otherTop: other.sort((a, b) => b[1] - a[1]).slice(0, 5),
  };
}
