/**
 * Untimed set-up of the naive end-to-end baseline, in its own process so that the baseline's peak RSS is its
 * own: FLUSHDB, then the order items the generated feed cancels (gen-data.ts message i -> one item, 2 ordered),
 * and `seeded:fresh` so the baseline knows it need not seed. Usage: node seed.js [N=100000]
 */
import { Redis } from 'ioredis';
import { REDIS_PORT } from './common.js';
import { seedItems } from './naive-ledger.js';

const redis = new Redis({ host: '127.0.0.1', port: REDIS_PORT });
await redis.flushdb();
await seedItems(redis, Number(process.argv[2] ?? 100_000));
await redis.set('seeded:fresh', '1');
redis.disconnect();
