/**
 * The end of a feed: once every valid message has an outcome, one worker merges the validation report with
 * the ledger's refusals, stores the final report with the feed, marks it _DONE_ and removes the working keys.
 * Safe to call any number of times and from many workers: a lock picks one, and a finished feed is left alone.
 */
import { randomUUID } from 'node:crypto';
import type { MessageResult, Report } from '../core/types.js';
import { ledgerKeys } from '../apply/keys.js';
import { byMessageId, capResults } from '../report/index.js';
import { loadFeed, saveFeed } from './feed-store.js';
import { feedKeys } from './names.js';
import type { PipelineDeps } from './pipeline-deps.js';

const LOCK_MS = 60_000;
/** Outlives any worker that could still be holding this feed's messages (job locks last seconds to minutes). */
const CLOSED_MARK_TTL_MS = 7 * 24 * 3600 * 1000;
const CLOSED_FIELD = '~closed';

/** Thrown when another worker holds the finalisation lock: the job fails and BullMQ tries it again later. */
export class FinalizationBusy extends Error {}

/**
 * Finalises when the feed is complete — every message has an outcome and every partition has recorded its
 * refusals and removed its list — and returns true when this call (or an earlier one) finished it.
 */
export async function finalizeFeed(deps: PipelineDeps, feedId: string): Promise<boolean> {
  const { redis, config } = deps;
  const record = await loadFeed(redis, config.prefix, feedId);
  if (!record) return false;
  if (record.status === '_DONE_' || record.status === '_CANCELLED_') return true;
  const keys = feedKeys(config.prefix, feedId);
  const applied = ledgerKeys(config.prefix, record.merchantId).applied(feedId);
  if ((await redis.hlen(applied)) < record.pending) return false;
  // A partition's list goes only after its refusals are recorded: while any remains, the report is not whole.
  if ((await redis.exists(...keys.parts)) > 0) return false;
  const token = randomUUID();
  if ((await redis.set(keys.finalizing, token, 'PX', LOCK_MS, 'NX')) !== 'OK') {
    throw new FinalizationBusy(`feed ${feedId} is being finalised by another worker`);
  }
  try {
    const validation = JSON.parse((await redis.get(keys.validation)) ?? 'null') as Report | null;
    if (!validation) throw new Error(`feed ${feedId} has no validation report to finalise`);
    const refusals = Object.values(await redis.hgetall(keys.results)).map((raw) => JSON.parse(raw) as MessageResult);
    await redis.set(keys.report, JSON.stringify(mergeRefusals(validation, refusals, config.maxReportResults)));
    await saveFeed(redis, config.prefix, { ...record, status: '_DONE_', completedProcessingDate: deps.now() });
  } catch (err) {
    // Let the next attempt finalise at once rather than after the lock expires.
    if ((await redis.get(keys.finalizing)) === token) await redis.del(keys.finalizing);
    throw err;
  }
  await redis.del(keys.validation, keys.results, keys.runs, keys.finalizing);
  await closeAppliedMarks(deps, applied);
  return true;
}

/**
 * The per-message marks are not needed once the report is final, but a worker that stalled and resumes later
 * still holds its messages: the hash shrinks atomically to one "~closed" field, which every ledger script
 * reads as "this feed is finished" (ledger-prelude.lua), and expires after a week.
 */
async function closeAppliedMarks(deps: PipelineDeps, applied: string): Promise<void> {
  await deps.redis
    .multi()
    .del(applied)
    .hset(applied, CLOSED_FIELD, deps.now())
    .pexpire(applied, CLOSED_MARK_TTL_MS)
    .exec();
}

/**
 * closeAppliedMarks for the recovery pass, which needs what was applied: the marks are read and closed in one MULTI,
 * so from here on no worker applies more of the feed.
 */
export async function readAndCloseAppliedMarks(deps: PipelineDeps, appliedKey: string): Promise<Map<string, string>> {
  const replies = await deps.redis
    .multi()
    .hgetall(appliedKey)
    .del(appliedKey)
    .hset(appliedKey, CLOSED_FIELD, deps.now())
    .pexpire(appliedKey, CLOSED_MARK_TTL_MS)
    .exec();
  const [err, marks] = replies?.[0] ?? [new Error('MULTI was discarded'), null];
  if (err) throw err;
  return new Map(Object.entries((marks ?? {}) as Record<string, string>));
}

/**
 * Each refused message turns from successful into a message with an error (its validation warnings stay). The
 * report keeps to its result cap (`limit`, FEEDPROC_MAX_REPORT_RESULTS), counting what it leaves out.
 */
export function mergeRefusals(validation: Report, refusals: readonly MessageResult[], limit: number): Report {
  const summary = { ...validation.summary };
  summary.messagesSuccessful -= refusals.length;
  summary.messagesWithError += refusals.length;
  const results = [...validation.results, ...refusals].sort(byMessageId);
  return { ...validation, summary, ...capResults(results, limit, validation.omitted) };
}
