/**
 * Measured child: `feedproc process FILE --workers N` as the CLI wires it (runtime, BullMQ queue, N concurrent
 * jobs in this process), timed from submission to the final report, on orders seeded by child-seed.js.
 * With --memory it then sizes what the run left in Redis: the ledger's keys apart from everything else.
 * Usage: node bench/dist/child-pipeline.js FILE REDIS_URL WORKERS [--memory]
 */
import { performance } from 'node:perf_hooks';
import type { RedisClient } from '../../dist/core/redis-client.js';
import { openRuntime } from '../../dist/cli/runtime.js';
import { waitForReport } from '../../dist/queue/wait-for-report.js';
import { createApplyWorker } from '../../dist/queue/apply-worker.js';
import { submitFeed } from '../../dist/queue/submit-feed.js';
import { createSchemaRegistry } from '../../dist/validate/index.js';
import { BENCH_MERCHANT, benchConfig } from './bench-ledger.js';
import { redisFootprint } from './redis-footprint.js';
import { ownPeakRssMiB, printResult } from './result-line.js';

async function main(file: string, url: string, workers: number, memory: boolean): Promise<void> {
  const schemas = createSchemaRegistry();
  const config = benchConfig(schemas, url);
  const runtime = await openRuntime(config, schemas, { workers: true });
  const worker = createApplyWorker(runtime.deps, runtime.workerConnection(), workers);
  try {
    const cpuBefore = await redisCpuSeconds(runtime.deps.redis);
    const start = performance.now();
    const record = await submitFeed(runtime.deps, file, { merchantId: BENCH_MERCHANT });
    const submitMs = performance.now() - start;
    const report = await waitForReport(runtime.deps, record.feedSubmissionId);
    const ms = performance.now() - start;
    const redisCpuS = Math.round(((await redisCpuSeconds(runtime.deps.redis)) - cpuBefore) * 100) / 100;
    await worker.close();
    const { messagesProcessed, messagesSuccessful, messagesWithError } = report.summary;
    printResult({
      bench: 'feedproc-process',
      workers,
      status: report.statusCode,
      messages: messagesProcessed,
      successful: messagesSuccessful,
      errors: messagesWithError,
      ms: Math.round(ms),
      submitMs: Math.round(submitMs),
      redisCpuS,
      perSec: Math.round(messagesProcessed / (ms / 1000)),
      maxRssMiB: ownPeakRssMiB(),
      ...(memory ? await redisFootprint(runtime.deps.redis, config.prefix, messagesSuccessful) : {}),
    });
  } finally {
    await worker.close();
    await runtime.close();
  }
}

/** CPU time the Redis server has used so far (user + system), to see whether Redis or Node is the limit. */
async function redisCpuSeconds(redis: RedisClient): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}

const [file, url, workers, flag] = process.argv.slice(2);
if (file === undefined || url === undefined || !/^\d+$/.test(workers ?? '')) {
  process.stderr.write('usage: child-pipeline.js FILE REDIS_URL WORKERS [--memory]\n');
  process.exitCode = 2;
} else {
  await main(file, url, Number(workers), flag === '--memory');
}
