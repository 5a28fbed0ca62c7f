/**
 * Workers: each job applies one partition of a feed — its messages in file order, every one through its
 * ledger script (atomic, exactly once per feed + message) — records the refusals for the report, and
 * finalises the feed when it was the last. A job that runs again (a crash, a stalled lock) changes nothing
 * already applied. Only infrastructure failures throw, and BullMQ retries them.
 */
import { Worker, type Job } from 'bullmq';
import type { RedisClient } from '../core/redis-client.js';
import { orderKeyOf } from '../apply/commands.js';
import { createLedger } from '../apply/ledger.js';
import { describeOutcome, FEED_CLOSED } from '../apply/script-codes.js';
import { toResult } from '../report/index.js';
import { finalizeFeed } from './finalize-feed.js';
import { loadFeed, saveFeed } from './feed-store.js';
import { execAll } from './exec-all.js';
import { APPLY_QUEUE, feedKeys, queuePrefix, type FeedKeys } from './names.js';
import type { PipelineDeps } from './pipeline-deps.js';
import type { SpilledMessage } from './spill.js';

/** Spilled messages read and applied at a time. */
const WINDOW = 2000;

export interface PartitionJob {
  feedId: string;
  partition: number;
}

export async function applyPartition(deps: PipelineDeps, job: PartitionJob): Promise<void> {
  const { redis, config } = deps;
  const record = await loadFeed(redis, config.prefix, job.feedId);
  if (!record || record.status === '_DONE_' || record.status === '_CANCELLED_') return;
  if (record.status === '_SUBMITTED_') {
    await saveFeed(redis, config.prefix, { ...record, status: '_IN_PROGRESS_', startedProcessingDate: deps.now() });
  }
  const keys = feedKeys(config.prefix, job.feedId);
  const ledger = createLedger(redis, config.prefix, record.merchantId);
  const at = deps.now();
  // A window at a time, so a worker's memory does not grow with the size of the feed.
  for (let start = 0; ; start += WINDOW) {
    const entries = (await redis.lrange(keys.part(job.partition), start, start + WINDOW - 1)).map((raw) => JSON.parse(raw) as SpilledMessage);
    const outcomes = await ledger.applyInOrder(job.feedId, entries.map((e) => ({ key: String(e.seq), command: e.command })), at);
    // Another worker took this job over after our lock lapsed and the feed is final: nothing left to record.
    if (outcomes.includes(FEED_CLOSED)) return;
    await recordRefusals(redis, keys, entries, outcomes, record.merchantId);
    if (entries.length < WINDOW) break;
  }
  await redis.del(keys.part(job.partition));
  await finalizeFeed(deps, job.feedId);
}

async function recordRefusals(redis: RedisClient, keys: FeedKeys, entries: readonly SpilledMessage[], outcomes: readonly string[], merchantId: string): Promise<void> {
  const refusals = redis.pipeline();
  entries.forEach((entry, index) => {
    const problem = describeOutcome(outcomes[index] ?? '0', contextOf(entry, merchantId));
    if (problem) refusals.hset(keys.results, String(entry.seq), JSON.stringify(toResult(entry.messageId, { ...problem, additionalInfo: infoOf(entry) })));
  });
  await execAll(refusals);
}

function contextOf(entry: SpilledMessage, merchantId: string) {
  const command = entry.command;
  const order = command.kind === 'inventory' ? { amazonOrderId: command.sku } : command.order;
  const firstItem = command.kind === 'inventory' ? undefined : command.items[0];
  const itemRef = firstItem ? (('code' in firstItem ? firstItem.code : undefined) ?? ('merchantItemId' in firstItem ? firstItem.merchantItemId : '') ?? '') : '';
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

/** A BullMQ worker on its own connection (BullMQ needs maxRetriesPerRequest: null for blocking commands). */
export function createApplyWorker(deps: PipelineDeps, connection: RedisClient, concurrency: number): Worker<PartitionJob> {
  const worker = new Worker<PartitionJob>(APPLY_QUEUE, (job: Job<PartitionJob>) => applyPartition(deps, job.data), {
    connection,
    prefix: queuePrefix(deps.config),
    concurrency,
    // A killed worker's job runs again after about this long (BullMQ's stalled-job check).
    lockDuration: deps.config.jobLockMs,
    stalledInterval: deps.config.jobLockMs,
  });
  worker.on('error', () => undefined); // connection errors are retried by ioredis; jobs report their own failures
  return worker;
}
