/**
 * Unmeasured helper: empties the bench Redis and imports the orders of the generated feed into feedproc's
 * ledger (`orders import` does the same per order), so a pipeline run finds every order it adjusts.
 * Usage: node bench/dist/child-seed.js REDIS_URL BASELINES_DIR COUNT
 */
import { Redis } from 'ioredis';
import { createLedger } from '../../dist/apply/ledger.js';
import { withLedgerScripts } from '../../dist/apply/scripts.js';
import { BENCH_MERCHANT, BENCH_PREFIX, benchOrder, generatedRows } from './bench-ledger.js';

const IN_FLIGHT = 1000;

async function main(url: string, _baselines: string, count: number): Promise<void> {
  const redis = withLedgerScripts(new Redis(url));
  try {
    await redis.flushdb();
    const ledger = createLedger(redis, BENCH_PREFIX, BENCH_MERCHANT);
    const row = generatedRows();
    for (let first = 1; first <= count; first += IN_FLIGHT) {
      const batch: Array<Promise<unknown>> = [];
      for (let i = first; i < first + IN_FLIGHT && i <= count; i += 1)
        batch.push(ledger.importOrder(benchOrder(row(i), i)));
      await Promise.all(batch);
    }
  } finally {
    redis.disconnect();
  }
}

const [url, baselines, count] = process.argv.slice(2);
if (url === undefined || baselines === undefined || !/^\d+$/.test(count ?? '')) {
  process.stderr.write('usage: child-seed.js REDIS_URL BASELINES_DIR COUNT\n');
  process.exitCode = 2;
} else {
  await main(url, baselines, Number(count));
}
