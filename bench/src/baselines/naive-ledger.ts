/**
 * The naive baseline's ledger: one hash per order item (ordered, shipped, cancelled) and a set of the adjustment
 * ids applied to it, changed by one small Lua script per message: refuse a repeat, a missing item or more
 * units than are open, else add to `cancelled` and remember the id.
 */
import type { Redis } from 'ioredis';
import { row } from './gen-data.js';

export const itemKey = (orderId: string, itemCode: string): string => `naive:{${orderId}}:${itemCode}`;
export const appliedKey = (orderId: string, itemCode: string): string => `naive:{${orderId}}:${itemCode}:applied`;

/** KEYS[1] item hash, KEYS[2] applied ids; ARGV[1] units, ARGV[2] adjustment id. -1 no item, -2 too many, -3 repeat. */
const CANCEL_UNITS = `
if redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 1 then return -3 end
local counts = redis.call('HMGET', KEYS[1], 'ordered', 'shipped', 'cancelled')
local ordered = tonumber(counts[1])
if not ordered then return -1 end
local units = tonumber(ARGV[1])
if not units or units <= 0 then return -4 end
if (tonumber(counts[3]) or 0) + units > ordered - (tonumber(counts[2]) or 0) then return -2 end
local cancelled = redis.call('HINCRBY', KEYS[1], 'cancelled', units)
redis.call('SADD', KEYS[2], ARGV[2])
return cancelled
`;

export type NaiveRedis = Redis & {
  cancelUnits(item: string, applied: string, units: string, id: string): Promise<number>;
};

export function withCancelScript(redis: Redis): NaiveRedis {
  redis.defineCommand('cancelUnits', { numberOfKeys: 2, lua: CANCEL_UNITS });
  return redis as NaiveRedis;
}

export async function seedItems(redis: Redis, count: number): Promise<void> {
  for (let from = 1; from <= count; from += 1000) {
    const pipeline = redis.pipeline();
    for (let i = from; i < from + 1000 && i <= count; i += 1) {
      const { orderId, itemCode } = row(i);
      pipeline.hset(itemKey(orderId, itemCode), 'ordered', 2, 'shipped', 0, 'cancelled', 0);
    }
    await pipeline.exec();
  }
}
