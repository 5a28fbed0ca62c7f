/**
 * Workers: each job applies one partition of a feed — its messages in file order, every one through its
 * ledger script (atomic, exactly once per feed + message) — records the refusals for the report, and
 * finalises the feed when it was the last. A job that runs again (a crash, a stalled lock) changes nothing
 * already applied. A message whose rule raises an error (a poison message) is reported with LEDGER_MESSAGE_FAILED
 * and the rest goes on; only infrastructure failures throw, and BullMQ retries them.
 */
import type { Job } from 'bullmq';
import type { RedisClient } from '../core/redis-client.js';
import { orderKeyOf, type LedgerCommand } from '../apply/commands.js';
import { createLedger, type Ledger } from '../apply/ledger.js';
import { describeOutcome, FEED_CLOSED } from '../apply/script-codes.js';
import { blockEventLoop, NO_FAULTS, parseFaults, type Faults } from '../core/faults.js';
import type { MessageResult } from '../core/types.js';
import { toResult } from '../report/index.js';
import { FinalizationBusy, finalizeFeed } from './finalize-feed.js';
import { loadFeed, saveFeed } from './feed-store.js';
import { APPLY_QUEUE, feedKeys, queuePrefix, type FeedKeys } from './names.js';
import { HoldingWorker } from './holding-worker.js';
import { startPartitionRun } from './partition-runs.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { spilledMessages, type SpilledMessage } from './spill.js';

/**
 * Spilled list elements read and applied at a time: at most WINDOW * MAX_CHUNK = 1,024 messages (spill.ts), about
 * that for a large feed — few enough that a partition of a few thousand messages is several windows (a job taken
 * over mid-partition, see test/chaos/worker-faults.test.ts).
 */
const WINDOW = 64;

export interface PartitionJob {
  feedId: string;
  partition: number;
}

/** How a job runs: its attempt (0 for the first), the injected faults (core/faults.ts) and where lines go. */
export interface ApplyRun {
  attempt: number;
  faults: Faults;
  /**
   * Called after each applied window with the list elements applied so far; the partition's run guard
   * (partition-runs.ts) and the block-after-window fault live here.
   */
  afterWindow(elements: number): Promise<void> | void;
  log(line: string): void;
}

const QUIET_RUN: ApplyRun = { attempt: 0, faults: NO_FAULTS, afterWindow: () => undefined, log: () => undefined };

type Message = { key: string; command: LedgerCommand };

export async function applyPartition(deps: PipelineDeps, job: PartitionJob, run: ApplyRun = QUIET_RUN): Promise<void> {
  const { redis, config } = deps;
  const record = await loadFeed(redis, config.prefix, job.feedId);
  if (!record || record.status === '_DONE_' || record.status === '_CANCELLED_') return;
  if (record.status === '_SUBMITTED_') {
    await saveFeed(redis, config.prefix, { ...record, status: '_IN_PROGRESS_', startedProcessingDate: deps.now() });
  }
  const keys = feedKeys(config.prefix, job.feedId);
  const ledger = createLedger(redis, config.prefix, record.merchantId);
  const at = deps.now();
  const readWindow = (start: number): Promise<{ elements: number; entries: SpilledMessage[] }> => {
    const read = redis
      .lrange(keys.part(job.partition), start, start + WINDOW - 1)
      .then((raws) => ({ elements: raws.length, entries: spilledMessages(raws) }));
    read.catch(() => undefined); // awaited at its turn; a job that stops early must not leave it unhandled
    return read;
  };
  // A window at a time, so a worker's memory does not grow with the size of the feed. The next window is read
  // (and parsed) while this one is applied, so Redis is not left waiting for the worker between windows; only
  // the reading is early, the windows are applied strictly one after the other.
  let next = readWindow(0);
  for (let start = 0; ; start += WINDOW) {
    const { elements, entries } = await next;
    if (elements === WINDOW) next = readWindow(start + WINDOW);
    const outcomes = await applyWindow(ledger, job.feedId, entries, at, run);
    // Another worker took this job over after our lock lapsed and the feed is final: nothing left to record.
    if (outcomes.includes(FEED_CLOSED)) return;
    await run.afterWindow(start + elements);
    await recordRefusals(redis, keys, entries, outcomes, record.merchantId);
    if (elements < WINDOW) break;
  }
  await redis.del(keys.part(job.partition));
  await finalizeFeed(deps, job.feedId);
}

/** The window's outcomes (a poison message gets "-12|error" from the script itself, see apply-messages-3+n.lua). */
async function applyWindow(
  ledger: Ledger,
  feedId: string,
  entries: readonly SpilledMessage[],
  at: string,
  run: ApplyRun,
): Promise<string[]> {
  const messages: Message[] = entries.map((e) => ({ key: String(e.seq), command: e.command }));
  const failAt = injectedFailure(entries, run);
  if (failAt >= 0) {
    await ledger.applyInOrder(feedId, messages.slice(0, failAt), at);
    throw new Error(
      `FEEDPROC_FAULT fail-message: attempt ${run.attempt + 1} fails before message ${messages[failAt]?.key}`,
    );
  }
  const outcomes = await ledger.applyInOrder(feedId, messages, at);
  outcomes.forEach((outcome, i) => {
    if (outcome.startsWith('-12|'))
      run.log(
        `feed ${feedId}: message ${messages[i]?.key} cannot be applied (${outcome.slice(4)}); reported as an error, the rest goes on`,
      );
  });
  return outcomes;
}

/** The index of the message the fail-message fault stops before, in this window and attempt; -1 for none. */
function injectedFailure(entries: readonly SpilledMessage[], run: ApplyRun): number {
  const fault = run.faults.failMessage;
  if (!fault || run.attempt >= fault.times) return -1;
  return entries.findIndex((e) => e.seq === fault.seq);
}

async function recordRefusals(
  redis: RedisClient,
  keys: FeedKeys,
  entries: readonly SpilledMessage[],
  outcomes: readonly string[],
  merchantId: string,
): Promise<void> {
  const refusals: string[] = [];
  entries.forEach((entry, index) => {
    const refusal = refusalOf(entry, outcomes[index] ?? '0', merchantId);
    if (refusal) refusals.push(String(entry.seq), JSON.stringify(refusal));
  });
  if (refusals.length > 0) await redis.hset(keys.results, ...refusals);
}

/** The report result of a message the ledger refused; null when it was applied (most messages). */
export function refusalOf(entry: SpilledMessage, outcome: string, merchantId: string): MessageResult | null {
  if (outcome === '0') return null;
  const problem = describeOutcome(outcome, contextOf(entry, merchantId));
  return problem ? toResult(entry.messageId, { ...problem, additionalInfo: infoOf(entry) }) : null;
}

function contextOf(entry: SpilledMessage, merchantId: string) {
  const command = entry.command;
  const order = command.kind === 'inventory' ? { amazonOrderId: command.sku } : command.order;
  const firstItem = command.kind === 'inventory' ? undefined : command.items[0];
  const itemRef = firstItem
    ? (('code' in firstItem ? firstItem.code : undefined) ??
      ('merchantItemId' in firstItem ? firstItem.merchantItemId : '') ??
      '')
    : '';
  return {
    merchantId,
    orderId: order.amazonOrderId ?? order.merchantOrderId ?? '',
    idKind: order.amazonOrderId !== undefined ? ('AmazonOrderID' as const) : ('MerchantOrderID' as const),
    itemRef,
  };
}

function infoOf(entry: SpilledMessage) {
  const command = entry.command;
  if (command.kind === 'inventory') return { sku: command.sku };
  const orderId = orderKeyOf(command);
  return orderId && !orderId.startsWith('merchant:') ? { amazonOrderId: orderId } : {};
}

/**
 * BullMQ's own stall limit, set out of reach: it counts every lapsed lock of a job however far each run got, and
 * would give up a job whose workers were merely killed or slow. The partition's run guard decides instead.
 */
const MAX_STALLED = 1_000_000;

/** A worker that can say how many jobs it holds (a stop that must force it abandons those). */
export type ApplyWorker = HoldingWorker<PartitionJob>;

/** How much a worker's line matters: `debug` for the normal hand-over between workers, `warn` for failures. */
export type WorkerLogLevel = 'debug' | 'info' | 'warn';

/**
 * A BullMQ worker on its own connection (BullMQ needs maxRetriesPerRequest: null for blocking commands).
 * `log` gets a line for each failed attempt, each job that succeeds after failing, and each poison message.
 */
export function createApplyWorker(
  deps: PipelineDeps,
  connection: RedisClient,
  concurrency: number,
  log: (line: string, level: WorkerLogLevel) => void = () => undefined,
): ApplyWorker {
  const faults = parseFaults(deps.config.fault);
  let blocked = false;
  const blockOnce = (): void => {
    if (faults.blockAfterWindowMs === 0 || blocked) return;
    blocked = true;
    log(`FEEDPROC_FAULT block-after-window: blocking the event loop for ${faults.blockAfterWindowMs} ms`, 'warn');
    blockEventLoop(faults.blockAfterWindowMs);
  };
  const processJob = async (job: Job<PartitionJob>): Promise<void> => {
    const attempt = job.attemptsMade;
    try {
      const guard = await startPartitionRun(
        deps.redis,
        feedKeys(deps.config.prefix, job.data.feedId),
        job.data.partition,
      );
      const afterWindow = async (elements: number): Promise<void> => {
        await guard.reached(elements);
        blockOnce();
      };
      await applyPartition(deps, job.data, { attempt, faults, afterWindow, log: (line) => log(line, 'warn') });
    } catch (err) {
      // Another worker finishing the feed is the normal hand-over of a small feed, not a failure: debug only.
      const handedOver = err instanceof FinalizationBusy;
      log(
        handedOver
          ? `job ${job.id}: ${err.message}; tried again shortly (attempt ${attempt + 1})`
          : `job ${job.id}: attempt ${attempt + 1} of ${job.opts.attempts ?? 1} failed: ${err instanceof Error ? err.message : String(err)}`,
        handedOver ? 'debug' : 'warn',
      );
      throw err;
    }
    if (attempt > 0) log(`job ${job.id}: done on attempt ${attempt + 1}`, 'info');
  };
  const worker = new HoldingWorker<PartitionJob>(APPLY_QUEUE, processJob, {
    connection,
    prefix: queuePrefix(deps.config),
    concurrency,
    // A killed worker's job runs again after about this long (BullMQ's stalled-job check).
    lockDuration: deps.config.jobLockMs,
    stalledInterval: deps.config.jobLockMs,
    // BullMQ fails a job stalled more than once by default; ours are safe to run again (the ledger's marks), so
    // a job survives any number of crashed or blocked workers, and only a job that keeps stopping its workers at
    // the same place is given up (partition-runs.ts).
    maxStalledCount: MAX_STALLED,
  });
  worker.on('error', () => undefined); // connection errors are retried by ioredis; jobs report their own failures
  return worker;
}
