/** `process`, `submit`, `worker`, `feeds`, `report`: the feed pipeline from the command line. */
import { basename, resolve } from 'node:path';
import type { Config } from '../../core/config.js';
import { FeedError } from '../../core/errors.js';
import { feedTypeByName, type FeedTypeInfo } from '../../core/feed-types.js';
import type { Report, ReportFormat } from '../../core/types.js';
import { safeCell } from '../../core/safe-cell.js';
import { createApplyWorker } from '../../queue/apply-worker.js';
import { feedInfo, listFeeds, loadFeed, loadReport } from '../../queue/feed-store.js';
import { submitFeed } from '../../queue/submit-feed.js';
import type { PipelineDeps } from '../../queue/pipeline-deps.js';
import { appliedProgress, waitForReport } from '../../queue/wait-for-report.js';
import { nativeReportFormat, renderReport, writeReport } from '../../report/index.js';
import type { SchemaRegistry } from '../../validate/index.js';
import { exitCodeForReport, EXIT } from '../exit-codes.js';
import { startProgress } from '../progress-line.js';
import { dropFolder } from '../../ingest/drop-folder.js';
import { createLogger } from '../log-lines.js';
import { startRecoveryLoop } from '../recovery-loop.js';
import { openRuntime } from '../runtime.js';
import { exitSoon, onStopSignal, stopBudget, stopWorker } from '../stop-signal.js';
import { writeTable } from '../table.js';
import { requireReadableFile } from './validate.js';

export interface FeedArgs {
  file: string;
  type?: string | undefined;
  format?: ReportFormat | undefined;
}

export function requireMerchant(config: Config): string {
  if (!config.merchantId)
    throw new FeedError('CLI_USAGE', { detail: 'name the merchant with --merchant ID or FEEDPROC_MERCHANT' });
  return config.merchantId;
}

function expectedTypeOf(type: string | undefined): FeedTypeInfo | undefined {
  if (type === undefined) return undefined;
  const found = feedTypeByName(type);
  if (!found) throw new FeedError('CLI_USAGE', { detail: `unknown feed type ${type}` });
  return found;
}

/** Submits the file, applies it with `workers` workers in this process, and prints the report. */
export async function runProcess(
  config: Config,
  schemas: SchemaRegistry,
  args: FeedArgs & { workers: number },
  out: NodeJS.WritableStream,
): Promise<number> {
  const merchantId = requireMerchant(config);
  await requireReadableFile(args.file);
  const runtime = await openRuntime(config, schemas, { workers: true });
  const worker = createApplyWorker(runtime.deps, runtime.workerConnection(), args.workers);
  try {
    const report = await submitAndWait(runtime.deps, args, merchantId);
    await writeReport(renderReport(report, args.format ?? nativeReportFormat(report), basename(args.file)), out);
    return exitCodeForReport(report);
  } finally {
    await worker.close();
    await runtime.close();
  }
}

/** Registers and enqueues; prints the FeedSubmissionId, or with --wait the report once workers finish it. */
export async function runSubmit(
  config: Config,
  schemas: SchemaRegistry,
  args: FeedArgs & { wait: boolean },
  out: NodeJS.WritableStream,
): Promise<number> {
  const merchantId = requireMerchant(config);
  await requireReadableFile(args.file);
  const runtime = await openRuntime(config, schemas, { workers: false });
  try {
    if (!args.wait) {
      const options = { merchantId, expectedType: expectedTypeOf(args.type) };
      const record = await submitFeed(runtime.deps, args.file, options);
      out.write(args.format === 'json' ? `${JSON.stringify(feedInfo(record))}\n` : `${record.feedSubmissionId}\n`);
      return EXIT.OK;
    }
    const report = await submitAndWait(runtime.deps, args, merchantId);
    await writeReport(renderReport(report, args.format ?? nativeReportFormat(report), basename(args.file)), out);
    return exitCodeForReport(report);
  } finally {
    await runtime.close();
  }
}

/** Submits the file and waits for its report, with a progress line on a terminal (erased before it returns). */
async function submitAndWait(deps: PipelineDeps, args: FeedArgs, merchantId: string): Promise<Report> {
  const progress = await startProgress(args.file, args.format);
  try {
    const options = { merchantId, expectedType: expectedTypeOf(args.type), meter: progress.meter };
    const record = await submitFeed(deps, args.file, options);
    progress.applying(() => appliedProgress(deps, record.feedSubmissionId));
    return await waitForReport(deps, record.feedSubmissionId);
  } finally {
    progress.end();
  }
}

/**
 * Runs workers (and the recovery pass, which sees the drop folder when it is on this machine) until SIGTERM /
 * SIGINT; the running jobs get stopTimeoutMs to finish (exit 0), else they are left to their locks (exit 5).
 * A second signal exits at once.
 */
export async function runWorker(
  config: Config,
  schemas: SchemaRegistry,
  concurrency: number,
  log: (line: string) => void,
): Promise<number> {
  const signal = onStopSignal();
  const runtime = await openRuntime(config, schemas, { workers: true });
  const worker = createApplyWorker(runtime.deps, runtime.workerConnection(), concurrency, (line, level) => {
    // The hand-over between workers is normal operation: shown with --verbose only.
    if (level !== 'debug' || config.verbose) log(`feedproc worker: ${line}`);
  });
  const recovery = startRecoveryLoop(runtime.deps, dropFolder(resolve(config.feedsDir)), createLogger(process.stderr));
  log(`feedproc worker: ${concurrency} concurrent jobs on ${config.prefix}; Ctrl-C to stop`);
  await signal.requested;
  log(`feedproc worker: stopping (at most ${config.stopTimeoutMs} ms)`);
  const budget = stopBudget(config.stopTimeoutMs);
  const clean = await stopWorker(worker, budget);
  await budget.step(() => recovery.stop());
  await runtime.close(budget);
  log(clean ? 'feedproc worker: stopped' : 'feedproc worker: stopped; running jobs left for another worker');
  return exitSoon(clean ? EXIT.OK : EXIT.ABANDONED);
}

export async function runFeeds(
  config: Config,
  schemas: SchemaRegistry,
  format: ReportFormat | undefined,
  out: NodeJS.WritableStream,
): Promise<number> {
  const runtime = await openRuntime(config, schemas, { workers: false, readOnly: true });
  try {
    const feeds = (await listFeeds(runtime.deps.redis, config.prefix)).filter(
      (f) => !config.merchantId || f.merchantId === config.merchantId,
    );
    if (format === 'json') out.write(`${JSON.stringify(feeds.map(feedInfo), null, 2)}\n`);
    else
      writeTable(
        out,
        ['FEED ID', 'STATUS', 'FEED TYPE', 'MERCHANT', 'SUBMITTED', 'FILE'],
        feeds.map((f) => [
          f.feedSubmissionId,
          f.status,
          f.feedType ?? '-',
          f.merchantId,
          f.submittedDate,
          safeCell(f.fileName),
        ]),
      );
    return EXIT.OK;
  } finally {
    await runtime.close();
  }
}

export async function runReport(
  config: Config,
  schemas: SchemaRegistry,
  feedId: string,
  format: ReportFormat | undefined,
  out: NodeJS.WritableStream,
): Promise<number> {
  const runtime = await openRuntime(config, schemas, { workers: false, readOnly: true });
  try {
    const record = await loadFeed(runtime.deps.redis, config.prefix, feedId);
    if (!record || (config.merchantId && record.merchantId !== config.merchantId))
      throw new FeedError('CLI_NOT_FOUND', { detail: `no feed ${feedId}` });
    const report = await loadReport(runtime.deps.redis, config.prefix, feedId);
    if (!report)
      throw new FeedError('CLI_USAGE', { detail: `feed ${feedId} is ${record.status}; its report is not ready` });
    await writeReport(renderReport(report, format ?? nativeReportFormat(report), record.fileName), out);
    return exitCodeForReport(report);
  } finally {
    await runtime.close();
  }
}
