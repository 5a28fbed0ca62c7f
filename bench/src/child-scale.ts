/**
 * Measured child: scale-out. Starts N `feedproc worker` processes (each `--concurrency 2`) and waits until each
 * has said it runs, then times `feedproc submit FILE` (its own process) to the final report, on orders seeded by
 * child-seed.js. Redis CPU (INFO CPU of the bench's redis-server) over the same span, per message, shows when
 * Redis rather than the workers is the limit. With --memory it also sizes the ledger before and after: bytes per
 * seeded order and per applied message (the sizing in docs/operations.md).
 * Usage: node bench/dist/child-scale.js FILE REDIS_URL PROCESSES [--memory]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { loadFeed, loadReportHead } from '../../dist/queue/feed-store.js';
import { BENCH_MERCHANT, BENCH_PREFIX } from './bench-ledger.js';
import { redisFootprint } from './redis-footprint.js';
import { printResult, round1 } from './result-line.js';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const CONCURRENCY = 2;

async function main(file: string, url: string, processes: number, memory: boolean): Promise<void> {
  const redis = new Redis(url);
  const env = {
    ...process.env,
    FEEDPROC_REDIS_URL: url,
    FEEDPROC_PREFIX: BENCH_PREFIX,
    FEEDPROC_MERCHANT: BENCH_MERCHANT,
  };
  const workers = Array.from({ length: processes }, () =>
    spawn(process.execPath, [CLI, 'worker', '--concurrency', String(CONCURRENCY)], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  try {
    await Promise.all(workers.map(started));
    const before = memory ? await redisFootprint(redis, BENCH_PREFIX, 0) : null;
    const usedBefore = await usedMemory(redis);
    const cpuBefore = await redisCpuSeconds(redis);
    const start = performance.now();
    const feedId = await submit(file, env);
    const submitMs = performance.now() - start;
    await waitUntilDone(redis, feedId);
    const ms = performance.now() - start;
    const redisCpuS = (await redisCpuSeconds(redis)) - cpuBefore;
    const head = await loadReportHead(redis, BENCH_PREFIX, feedId);
    if (!head) throw new Error(`feed ${feedId} has no report`);
    const messages = head.summary.messagesProcessed;
    const after = memory && before ? await redisFootprint(redis, BENCH_PREFIX, head.summary.messagesSuccessful) : null;
    printResult({
      bench: 'feedproc-scale-out',
      processes,
      concurrency: CONCURRENCY,
      status: head.statusCode,
      messages,
      successful: head.summary.messagesSuccessful,
      ms: Math.round(ms),
      submitMs: Math.round(submitMs),
      perSec: Math.round(messages / (ms / 1000)),
      /** After `submit` returned (validated, spilled, enqueued): the workers' part alone. */
      applyPerSec: Math.round(messages / ((ms - submitMs) / 1000)),
      redisCpuS: Math.round(redisCpuS * 100) / 100,
      redisCpuUsPerMessage: round1((redisCpuS * 1e6) / messages),
      /** Share of the wall time Redis was busy: near 100 %, Redis (one core) is the limit. */
      redisBusyPercent: Math.round((redisCpuS / (ms / 1000)) * 100),
      usedMemoryGrowthPerMessage: round1(((await usedMemory(redis)) - usedBefore) / messages),
      ...(before && after
        ? {
            seededOrders: messages,
            // MEMORY USAGE of every key under the prefix: what sizing needs (orders, their index, stock, events).
            bytesPerOrder: round1((before.ledgerBytes + before.otherBytes) / messages),
            ledgerBytesPerOrder: round1(before.ledgerBytes / messages),
            growthPerMessage: round1(
              (after.ledgerBytes + after.otherBytes - before.ledgerBytes - before.otherBytes) / messages,
            ),
            ledgerGrowthPerMessage: round1((after.ledgerBytes - before.ledgerBytes) / messages),
          }
        : {}),
    });
  } finally {
    await Promise.all(workers.map(stop));
    redis.disconnect();
  }
}

/** A worker says `feedproc worker: … Ctrl-C to stop` on stderr once its queue and connections are up. */
function started(worker: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    worker.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
      if (stderr.includes('Ctrl-C to stop')) resolve();
    });
    worker.once('exit', (code) =>
      reject(new Error(`feedproc worker exited with ${String(code)} before it started: ${stderr}`)),
    );
  });
}

async function stop(worker: ChildProcess): Promise<void> {
  if (worker.exitCode !== null || worker.signalCode !== null) return;
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  worker.kill('SIGTERM');
  await exited;
}

/** `feedproc submit FILE`: validates, spills and enqueues, prints the FeedSubmissionId. */
function submit(file: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'submit', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 && /^\d+\s*$/.test(stdout)
        ? resolve(stdout.trim())
        : reject(new Error(`feedproc submit exited ${String(code)}: ${stderr}`)),
    );
  });
}

async function waitUntilDone(redis: Redis, feedId: string): Promise<void> {
  for (let pause = 2; ; pause = Math.min(pause * 1.5, 20)) {
    const record = await loadFeed(redis, BENCH_PREFIX, feedId);
    if (record?.status === '_DONE_' || record?.status === '_CANCELLED_') return;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
}

const [file, url, processes, flag] = process.argv.slice(2);
if (file === undefined || url === undefined || !/^\d+$/.test(processes ?? '')) {
  process.stderr.write('usage: child-scale.js FILE REDIS_URL PROCESSES [--memory]\n');
  process.exitCode = 2;
} else {
  await main(file, url, Number(processes), flag === '--memory');
}
