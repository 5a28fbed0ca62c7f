/**
 * Measured child: a warm watcher with workers in this process (as `feedproc watch` runs them). First 1-message
 * files are renamed into incoming/ one at a time, each timed until its report is on disk; then a burst of small
 * files is renamed in at once and timed until every report exists (BURST 0: none).
 * Usage: node bench/dist/child-watch.js DIR REDIS_URL FILES BURST [STABLE_MS] (a fresh drop folder is made inside
 * DIR; STABLE_MS sets FEEDPROC_WATCH_STABLE_MS, the configured default otherwise)
 */
import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openRuntime } from '../../dist/cli/runtime.js';
import { dropFolder } from '../../dist/ingest/drop-folder.js';
import { startDropWatcher } from '../../dist/ingest/drop-watcher.js';
import { createApplyWorker } from '../../dist/queue/apply-worker.js';
import { createSchemaRegistry } from '../../dist/validate/index.js';
import { BENCH_MERCHANT, benchConfig } from './bench-ledger.js';
import { ownPeakRssMiB, printResult } from './result-line.js';
import { median, percentile } from './stats.js';

const WARM_UP = 5;
const TIMING = { maxWaitMs: 60_000, pollMs: 50, rescanMs: 5000, retryMs: 2000, maxRetryMs: 30_000, giveUpAfter: 6 };

interface WatchRun {
  files: number;
  burst: number;
  stableMs: string | undefined;
}

async function main(parent: string, url: string, run: WatchRun): Promise<void> {
  const { files, burst } = run;
  const dir = mkdtempSync(join(parent, 'watch-')); // a fresh drop folder for every run
  const schemas = createSchemaRegistry();
  const env: Record<string, string> = run.stableMs === undefined ? {} : { FEEDPROC_WATCH_STABLE_MS: run.stableMs };
  const config = benchConfig(schemas, url, dir, env);
  const runtime = await openRuntime(config, schemas, { workers: true });
  const worker = createApplyWorker(runtime.deps, runtime.workerConnection(), 4);
  const folder = dropFolder(dir);
  let reported = 0; // the watcher logs a file once its report is on disk and the file is in done/
  const watcher = await startDropWatcher(
    runtime.deps,
    folder,
    { ...TIMING, stableMs: config.watchStableMs, giveUpAfter: config.fileAttempts },
    (event) => {
      if (event.event === 'processed') reported += 1;
    },
  );
  const inbox = join(folder.incoming, BENCH_MERCHANT);
  mkdirSync(inbox, { recursive: true });
  let dropped = 0;
  const drop = (): void => {
    dropped += 1;
    const name = `stock-${dropped}.txt`;
    writeFileSync(join(inbox, `.${name}`), `sku\tquantity\nSKU-${dropped}\t${dropped % 100}\n`);
    renameSync(join(inbox, `.${name}`), join(inbox, name));
  };
  const until = async (count: number): Promise<void> => {
    while (reported < count) await new Promise((done) => setTimeout(done, 1));
  };
  try {
    const times: number[] = [];
    for (let i = 1; i <= WARM_UP + files; i += 1) {
      const start = performance.now();
      drop();
      await until(dropped);
      if (i > WARM_UP) times.push(performance.now() - start);
    }
    const burstStart = performance.now();
    for (let i = 0; i < burst; i += 1) drop();
    await until(dropped);
    const burstMs = performance.now() - burstStart;
    const round1 = (ms: number): number => Math.round(ms * 10) / 10;
    printResult({
      bench: 'feedproc-watch',
      stableMs: config.watchStableMs,
      files: times.length,
      medianMs: round1(median(times)),
      p95Ms: round1(percentile(times, 95)),
      burstFiles: burst,
      burstMs: Math.round(burstMs),
      filesPerSec: burst === 0 ? null : Math.round((burst / burstMs) * 1000),
      maxRssMiB: ownPeakRssMiB(),
    });
  } finally {
    await watcher.stop(8000);
    await worker.close();
    await runtime.close();
  }
}

const [dir, url, files, burst, stableMs] = process.argv.slice(2);
const counts = [files, burst, stableMs ?? '0'];
if (dir === undefined || url === undefined || !counts.every((n) => /^\d+$/.test(n ?? ''))) {
  process.stderr.write('usage: child-watch.js DIR REDIS_URL FILES BURST [STABLE_MS]\n');
  process.exitCode = 2;
} else {
  await main(dir, url, { files: Number(files), burst: Number(burst), stableMs });
}
