/**
 * `feedproc watch`: the drop-folder watcher with BullMQ workers in the same process (unless --no-workers),
 * logging pino JSON lines. Redis away at start-up is waited for (files stay untouched in incoming/ meanwhile).
 * SIGTERM / SIGINT (stop-signal.ts): stop taking files, let the files and jobs in progress finish within
 * stopTimeoutMs, close everything and exit 0 — or 5 when something had to be left unfinished (files stay
 * claimed and resume next time, jobs run again once their lock lapses). A second signal exits at once.
 * The recovery pass (recovery-loop.ts) runs here at start and periodically.
 */
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../../core/config.js';
import { isFeedError } from '../../core/errors.js';
import { dropFolder, type DropFolder } from '../../ingest/drop-folder.js';
import { startDropWatcher, type DropWatcher, type WatchEvent } from '../../ingest/drop-watcher.js';
import { createApplyWorker } from '../../queue/apply-worker.js';
import type { SchemaRegistry } from '../../validate/index.js';
import { EXIT } from '../exit-codes.js';
import { createLogger } from '../log-lines.js';
import { startRecoveryLoop } from '../recovery-loop.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { exitSoon, onStopSignal, stopBudget, stopWorker, type StopBudget } from '../stop-signal.js';

const REDIS_RETRY_MS = 1000;
/**
 * Beyond the stability window: how long an incomplete file is waited for, polling, rescans, and retries (the
 * first pause is FEEDPROC_WATCH_RETRY_MS, 2 s by default, doubling to at most 15 times that; a file failing
 * FEEDPROC_FILE_ATTEMPTS times for a reason other than Redis or a full disk goes to failed/).
 */
const WATCH_TIMING = {
  maxWaitMs: 60_000,
  pollMs: 50,
  rescanMs: 5000,
};
const MAX_RETRY_FACTOR = 15;

/** Something started beside the watcher (the HTTP server of `serve`); returns how to stop it. */
export type Companion = (
  runtime: Runtime,
  watcher: DropWatcher,
  folder: DropFolder,
  logger: Logger,
) => Promise<() => Promise<void>>;

export async function runWatch(
  config: Config,
  schemas: SchemaRegistry,
  options: { workers: boolean; concurrency: number; companion?: Companion },
): Promise<number> {
  const logger = createLogger();
  const signal = onStopSignal();
  const runtime = await openWhenRedisAnswers(config, schemas, options.workers, logger, signal.stopping);
  if (!runtime) return exitSoon(EXIT.OK);
  const worker = options.workers
    ? createApplyWorker(runtime.deps, runtime.workerConnection(), options.concurrency, (line, level) =>
        logger[level]({ event: 'job' }, line),
      )
    : null;
  let clean = true;
  let budget: StopBudget | null = null;
  try {
    const folder = dropFolder(resolve(config.feedsDir));
    const watcher = await startDropWatcher(
      runtime.deps,
      folder,
      {
        ...WATCH_TIMING,
        stableMs: config.watchStableMs,
        retryMs: config.watchRetryMs,
        maxRetryMs: MAX_RETRY_FACTOR * config.watchRetryMs,
        giveUpAfter: config.fileAttempts,
      },
      (event) => logEvent(logger, event),
    );
    const recovery = startRecoveryLoop(runtime.deps, folder, logger);
    logger.info(
      { event: 'watching', incoming: folder.incoming, workers: worker ? options.concurrency : 0 },
      `watching ${folder.incoming}`,
    );
    const stopCompanion = options.companion ? await options.companion(runtime, watcher, folder, logger) : null;
    await signal.requested;
    budget = stopBudget(config.stopTimeoutMs);
    logger.info(
      { event: 'stopping', boundMs: config.stopTimeoutMs },
      'stopping: no new files; finishing the files in progress',
    );
    const stopped = budget;
    clean = (await stopped.step(async () => stopCompanion?.())) && clean;
    let filesFinished = false;
    await stopped.step(async () => {
      filesFinished = await watcher.stop(stopped.left());
    });
    clean = filesFinished && clean;
    await stopped.step(() => recovery.stop());
  } finally {
    budget ??= stopBudget(config.stopTimeoutMs);
    if (worker) clean = (await stopWorker(worker, budget)) && clean;
    await runtime.close(budget);
  }
  logger.info({ event: 'stopped', clean }, clean ? 'stopped' : 'stopped; work left unfinished is left for recovery');
  return exitSoon(clean ? EXIT.OK : EXIT.ABANDONED);
}

/** Opens the runtime, retrying while Redis does not answer; null when a signal came first. */
async function openWhenRedisAnswers(
  config: Config,
  schemas: SchemaRegistry,
  workers: boolean,
  logger: Logger,
  stopped: () => boolean,
): Promise<Runtime | null> {
  let said = false;
  while (!stopped()) {
    try {
      return await openRuntime(config, schemas, { workers, notice: (line) => logger.info({ event: 'redis' }, line) });
    } catch (err) {
      if (!isFeedError(err) || err.code !== 'CLI_REDIS_UNAVAILABLE') throw err;
      if (!said)
        logger.warn(
          { event: 'redis-unavailable', error: err.message },
          'waiting for Redis; files stay in incoming/ until it answers',
        );
      said = true;
      await new Promise((done) => setTimeout(done, REDIS_RETRY_MS));
    }
  }
  return null;
}

function logEvent(logger: Logger, event: WatchEvent): void {
  if (event.event === 'processed') {
    const { feedId, report, reportPath, movedTo } = event.outcome;
    const s = report.summary;
    logger.info(
      {
        event: 'feed',
        file: event.file,
        merchant: event.merchant,
        feedSubmissionId: feedId,
        status: report.statusCode,
        ...s,
        report: reportPath,
        movedTo,
      },
      `${event.file}: feed ${feedId} ${report.statusCode}, ${s.messagesProcessed} processed, ${s.messagesWithError} with errors -> ${reportPath}`,
    );
  } else if (event.event === 'imported') {
    const line = event.outcome.summary.split('\n')[0] ?? '';
    logger.info(
      {
        event: 'orders-imported',
        file: event.file,
        merchant: event.merchant,
        report: event.outcome.reportPath,
        movedTo: event.outcome.movedTo,
      },
      line,
    );
  } else if (event.event === 'given-up') {
    const report = event.outcome?.reportPath ?? null;
    const movedTo = event.outcome?.movedTo ?? null;
    logger.error(
      { event: 'given-up', file: event.file, error: event.error, report, movedTo },
      `${event.file}: ${event.error}; given up after repeated failures -> ${movedTo ?? 'left where it is'}`,
    );
  } else if (event.event === 'refused') {
    logger.warn(
      { event: 'refused', entry: event.entry, reason: event.reason, report: event.report },
      `${JSON.stringify(event.entry)}: not taken: ${event.reason}`,
    );
  } else if (event.event === 'failed-to-process') {
    const next = event.retryInMs === null ? 'giving up' : `trying again in ${event.retryInMs} ms`;
    logger.error(
      { event: 'retry', file: event.file, error: event.error, retryInMs: event.retryInMs },
      `${event.file}: ${event.error}; ${next}`,
    );
  } else {
    logger.error(
      { event: 'no-merchant', file: event.file, report: event.outcome.reportPath, movedTo: event.outcome.movedTo },
      event.outcome.summary.trim(),
    );
  }
}
