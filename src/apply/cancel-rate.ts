/**
 * The pre-fulfillment cancel rate (docs/ledger-rules.md#the-cancel-rate): orders the seller cancelled ÷ all
 * orders, over the last `days` days by purchase date, per merchant; target below 2.5 %. The ledger scripts flag an
 * order as seller-cancelled (flag `s` of its state field `o`) in the same atomic step as the cancellation; the
 * orders of a window come from the merchant's purchase-date index, so the metric reads only the orders of the window.
 */
import { scanKeys, type RedisClient } from '../core/redis-client.js';
import { everyMerchantOrdersByPurchase, ledgerKeys, merchantOfKey } from './keys.js';
import { orderStateFrom } from './order-hash.js';

export const CANCEL_RATE_TARGET = 0.025;

/** A rate as people read it: `2.50 %`. */
export const formatRate = (rate: number): string => `${(rate * 100).toFixed(2)} %`;
const DAY_MS = 24 * 3600 * 1000;
const BATCH = 1000;

export interface CancelRate {
  merchantId: string;
  windowDays: number;
  orders: number;
  sellerCancelledOrders: number;
  cancelRate: number;
  target: number;
  status: 'Good' | 'AtRisk';
}

export async function cancelRate(
  redis: RedisClient,
  prefix: string,
  merchantId: string,
  days: number,
  now = Date.now(),
): Promise<CancelRate> {
  const keys = ledgerKeys(prefix, merchantId);
  const ids = await redis.zrangebyscore(keys.ordersByPurchase(), now - days * DAY_MS, now);
  let sellerCancelled = 0;
  for (let first = 0; first < ids.length; first += BATCH) {
    const pipeline = redis.pipeline();
    for (const id of ids.slice(first, first + BATCH)) pipeline.hget(keys.order(id), 'o');
    for (const [err, value] of (await pipeline.exec()) ?? []) {
      if (err) throw err;
      if (orderStateFrom(value as string | null)?.sellerCancelled) sellerCancelled += 1;
    }
  }
  const rate = ids.length === 0 ? 0 : sellerCancelled / ids.length;
  return {
    merchantId,
    windowDays: days,
    orders: ids.length,
    sellerCancelledOrders: sellerCancelled,
    cancelRate: Math.round(rate * 1e6) / 1e6,
    target: CANCEL_RATE_TARGET,
    status: rate < CANCEL_RATE_TARGET ? 'Good' : 'AtRisk',
  };
}

/**
 * The purchase time (ms) of the merchant's latest order bought at or before `now`, or null without orders: what an
 * empty window can point to (the samples' orders, say, are older than a week).
 */
export async function latestPurchase(
  redis: RedisClient,
  prefix: string,
  merchantId: string,
  now = Date.now(),
): Promise<number | null> {
  const keys = ledgerKeys(prefix, merchantId);
  const found = await redis.zrevrangebyscore(keys.ordersByPurchase(), now, '-inf', 'WITHSCORES', 'LIMIT', 0, 1);
  return found.length >= 2 ? Number(found[1]) : null;
}

export interface DailyCancelRate {
  /** The UTC calendar day, YYYY-MM-DD. */
  day: string;
  orders: number;
  sellerCancelledOrders: number;
  /** 0 for a day without orders. */
  cancelRate: number;
}

/**
 * The cancel rate per UTC calendar day (by purchase date) for the last `days` days, today included and last,
 * for the web page's chart. Read the same way as cancelRate: only the orders of those days.
 */
export async function cancelRateByDay(
  redis: RedisClient,
  prefix: string,
  merchantId: string,
  days: number,
  now = Date.now(),
): Promise<DailyCancelRate[]> {
  const keys = ledgerKeys(prefix, merchantId);
  const first = Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
  const series: DailyCancelRate[] = Array.from({ length: days }, (_, i) => ({
    day: new Date(first + i * DAY_MS).toISOString().slice(0, 10),
    orders: 0,
    sellerCancelledOrders: 0,
    cancelRate: 0,
  }));
  const flat = await redis.zrangebyscore(keys.ordersByPurchase(), first, now, 'WITHSCORES');
  for (let start = 0; start < flat.length; start += 2 * BATCH) {
    const chunk = flat.slice(start, start + 2 * BATCH);
    const pipeline = redis.pipeline();
    for (let i = 0; i < chunk.length; i += 2) pipeline.hget(keys.order(chunk[i] as string), 'o');
    const replies = (await pipeline.exec()) ?? [];
    replies.forEach(([err, value], i) => {
      if (err) throw err;
      const day = series[Math.floor((Number(chunk[2 * i + 1]) - first) / DAY_MS)];
      if (!day) return;
      day.orders += 1;
      if (orderStateFrom(value as string | null)?.sellerCancelled) day.sellerCancelledOrders += 1;
    });
  }
  for (const day of series)
    day.cancelRate = day.orders === 0 ? 0 : Math.round((day.sellerCancelledOrders / day.orders) * 1e6) / 1e6;
  return series;
}

/** The merchants that have orders in the ledger under this prefix (every master of a Cluster is scanned). */
export async function merchantsWithOrders(redis: RedisClient, prefix: string): Promise<string[]> {
  const found = new Set<string>();
  for (const key of await scanKeys(redis, everyMerchantOrdersByPurchase(prefix))) {
    const merchantId = merchantOfKey(key);
    if (merchantId !== null) found.add(merchantId);
  }
  return [...found].sort();
}
