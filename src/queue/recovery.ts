/**
 * The recovery pass: no feed state lasts for ever. Run by the watcher and by workers, at start and every
 * `recoveryIntervalMs`, any number at once (a per-feed lock lets one pass look at a feed at a time, and every
 * status change is a compare-and-set). It finds:
 *
 * - a feed `_IN_PROGRESS_` whose remaining jobs are gone (never enqueued, or removed): enqueued again (job ids
 *   are per feed and partition and the ledger marks every message, so nothing is applied twice);
 * - one whose remaining jobs ran out of attempts: finalised. The ledger's marks of the feed are read and closed
 *   in one MULTI (a worker still holding a message afterwards gets "closed" and applies nothing), so the report
 *   says exactly which messages were applied; the others get 97040. `_DONE_`, or `_CANCELLED_` when none was;
 * - a ghost `_IN_PROGRESS_` record: its submission died before its file was read (no submitter's lease, no
 *   validation report, no claimed file in processing/ that a watcher will resume) → `_CANCELLED_` (97042);
 * - a `_SUBMITTED_` record reserved for an HTTP upload whose file never reached processing/ → `_CANCELLED_` (97043).
 *
 * The last two depend on the drop folder (`claimed` lists the feeds that claimed files name); a process that
 * does not see it leaves them alone. Every decision is returned for the log and kept on the feed record
 * (`recovery`), which its page shows; each resolved feed gets a report, so whoever waits for it stops waiting.
 */
import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import { ledgerKeys } from '../apply/keys.js';
import type { MessageResult, Report } from '../core/types.js';
import { byMessageId, ReportBuilder, toResult } from '../report/index.js';
import { refusalOf } from './apply-worker.js';
import { finalizeFeed, FinalizationBusy, mergeRefusals, readAndCloseAppliedMarks } from './finalize-feed.js';
import { loadFeed, moveFeedStatus, saveFeed, type FeedRecord, type FeedStatus } from './feed-store.js';
import { remainingPartitions } from './job-states.js';
import { contentKey, feedIndexKey, feedKeys, jobId, type FeedKeys } from './names.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { spilledMessages } from './spill.js';
import { enqueueRemaining } from './submit-lease.js';

const LOCK_MS = 60_000;

export interface RecoveryOptions {
  /** How long a ghost or reserved record must have waited before it is cancelled. */
  ageMs: number;
  /** FeedSubmissionIds named by claimed files in processing/; null when the drop folder is not visible here. */
  claimed: ReadonlySet<string> | null;
}

export interface RecoveryDecision {
  feedId: string;
  merchantId: string;
  action: 'enqueued-again' | 'finalised' | 'cancelled-ghost' | 'cancelled-reservation';
  status: FeedStatus;
  /** What was decided and why, as shown on the feed's page. */
  reason: string;
  applied?: number;
  notApplied?: number;
}

export async function recoverFeeds(deps: PipelineDeps, options: RecoveryOptions): Promise<RecoveryDecision[]> {
  const { redis, config } = deps;
  const ids = await redis.zrange(feedIndexKey(config.prefix), '0', '-1');
  const statuses = await Promise.all(ids.map((id) => redis.hget(feedKeys(config.prefix, id).feed, 'status')));
  const decisions: RecoveryDecision[] = [];
  for (const [i, id] of ids.entries()) {
    if (statuses[i] !== '_IN_PROGRESS_' && statuses[i] !== '_SUBMITTED_') continue;
    const decision = await withFeedLock(deps, id, () => recoverFeed(deps, id, options));
    if (decision) decisions.push(decision);
  }
  return decisions;
}

async function withFeedLock<T>(deps: PipelineDeps, feedId: string, run: () => Promise<T | null>): Promise<T | null> {
  const key = feedKeys(deps.config.prefix, feedId).recovering;
  const token = randomUUID();
  if ((await deps.redis.set(key, token, 'PX', LOCK_MS, 'NX')) !== 'OK') return null; // another pass has it
  try {
    return await run();
  } finally {
    if ((await deps.redis.get(key)) === token) await deps.redis.del(key);
  }
}

async function recoverFeed(
  deps: PipelineDeps,
  feedId: string,
  options: RecoveryOptions,
): Promise<RecoveryDecision | null> {
  const record = await loadFeed(deps.redis, deps.config.prefix, feedId);
  if (!record) return null;
  const keys = feedKeys(deps.config.prefix, feedId);
  // A live submitter (or a watcher resuming the claimed file) takes care of its own feed.
  if ((await deps.redis.exists(keys.submitting)) === 1) return null;
  if (record.status === '_IN_PROGRESS_' && (await deps.redis.exists(keys.validation)) === 1)
    return recoverValidated(deps, record, keys);
  if (options.claimed === null || options.claimed.has(feedId)) return null;
  const since = Date.parse(record.startedProcessingDate ?? record.submittedDate);
  if (Number.isNaN(since) || Date.parse(deps.now()) - since < options.ageMs) return null;
  return record.status === '_SUBMITTED_' ? cancelReservation(deps, record) : cancelGhost(deps, record, keys);
}

/** A validated feed: its remaining partitions' jobs decide — alive, gone (enqueued again) or given up. */
async function recoverValidated(
  deps: PipelineDeps,
  record: FeedRecord,
  keys: FeedKeys,
): Promise<RecoveryDecision | null> {
  const feedId = record.feedSubmissionId;
  const remaining = await remainingPartitions(deps, keys);
  if (remaining.length === 0) {
    // Every partition is done; only the finalisation may be missing (a worker died right before it).
    await finalizeFeed(deps, feedId).catch((err: unknown) => {
      if (!(err instanceof FinalizationBusy)) throw err;
    });
    return null;
  }
  const jobs = await Promise.all(remaining.map((n) => deps.queue.getJob(jobId(feedId, n))));
  const states = await Promise.all(jobs.map((job) => (job ? job.getState() : Promise.resolve('gone'))));
  if (states.some((state) => state !== 'gone' && state !== 'failed' && state !== 'unknown')) return null;
  const failed = jobs.filter((job): job is Job => job !== undefined && job !== null);
  if (failed.length === 0) {
    await enqueueRemaining(deps, feedId);
    const reason = `its jobs were gone (never enqueued, or removed): partitions ${remaining.join(', ')} enqueued again`;
    await deps.redis.hset(keys.feed, 'recovery', reason);
    return { feedId, merchantId: record.merchantId, action: 'enqueued-again', status: record.status, reason };
  }
  return finaliseGivenUp(deps, record, keys, remaining, failed);
}

async function finaliseGivenUp(
  deps: PipelineDeps,
  record: FeedRecord,
  keys: FeedKeys,
  remaining: readonly number[],
  failed: readonly Job[],
): Promise<RecoveryDecision | null> {
  const { redis } = deps;
  const feedId = record.feedSubmissionId;
  const token = randomUUID();
  if ((await redis.set(keys.finalizing, token, 'PX', LOCK_MS, 'NX')) !== 'OK') return null;
  const validation = JSON.parse((await redis.get(keys.validation)) ?? 'null') as Report | null;
  if (!validation) return null;
  const marks = await readAndCloseAppliedMarks(deps, ledgerKeys(deps.config.prefix, record.merchantId).applied(feedId));
  const last = failed[failed.length - 1];
  const why = { attempts: last?.attemptsMade ?? 0, reason: (last?.failedReason ?? 'unknown').slice(0, 200) };
  const results: MessageResult[] = Object.values(await redis.hgetall(keys.results)).map(
    (raw) => JSON.parse(raw) as MessageResult,
  );
  let notApplied = 0;
  for (const n of remaining) {
    for (const entry of spilledMessages(await redis.lrange(keys.part(n), 0, -1))) {
      const outcome = marks.get(String(entry.seq));
      if (outcome === undefined) {
        notApplied += 1;
        results.push(toResult(entry.messageId, { code: 'RECOVERY_NOT_APPLIED', context: why }));
      } else {
        const refusal = refusalOf(entry, outcome, record.merchantId);
        // A window applied before its refusals were recorded: recorded now (keyed like the worker's).
        if (refusal && !results.some((r) => r.messageId === refusal.messageId && r.code === refusal.code))
          results.push(refusal);
      }
    }
  }
  const applied = [...marks.keys()].filter((k) => !k.startsWith('~')).length;
  const status: FeedStatus = applied === 0 ? '_CANCELLED_' : '_DONE_';
  const note = toResult('0', {
    code: 'RECOVERY_FINALISED',
    context: { feedSubmissionId: feedId, applied, pending: record.pending, notApplied },
  });
  const merged = mergeRefusals(validation, results, deps.config.maxReportResults);
  const report: Report = { ...merged, results: [...merged.results, note].sort(byMessageId) };
  const reason = `finalised by recovery after its jobs were given up (${why.attempts} attempts: ${why.reason}): ${applied} of ${record.pending} messages applied, ${notApplied} not applied`;
  await redis.set(keys.report, JSON.stringify(report));
  await saveFeed(redis, deps.config.prefix, {
    ...record,
    status,
    completedProcessingDate: deps.now(),
    recovery: reason,
  });
  await redis.del(keys.validation, keys.results, ...remaining.map((n) => keys.part(n)), keys.finalizing);
  return { feedId, merchantId: record.merchantId, action: 'finalised', status, reason, applied, notApplied };
}

async function cancelGhost(deps: PipelineDeps, record: FeedRecord, keys: FeedKeys): Promise<RecoveryDecision | null> {
  const feedId = record.feedSubmissionId;
  await deps.redis.del(...keys.parts, keys.results);
  // A content claimed before the death would make the next submission of the file a "duplicate" of nothing.
  const content = contentKey(deps.config.prefix, record.merchantId, record.sha256);
  if ((await deps.redis.get(content)) === feedId) await deps.redis.del(content);
  const reason = 'cancelled by recovery: its submission stopped before its file was read; nothing was applied (97042)';
  return cancel(deps, record, '_IN_PROGRESS_', 'RECOVERY_GHOST_CANCELLED', reason, 'cancelled-ghost');
}

async function cancelReservation(deps: PipelineDeps, record: FeedRecord): Promise<RecoveryDecision | null> {
  const reason =
    'cancelled by recovery: its upload was interrupted before its file was kept; nothing was applied (97043)';
  return cancel(deps, record, '_SUBMITTED_', 'RECOVERY_RESERVATION_CANCELLED', reason, 'cancelled-reservation');
}

async function cancel(
  deps: PipelineDeps,
  record: FeedRecord,
  from: FeedStatus,
  code: 'RECOVERY_GHOST_CANCELLED' | 'RECOVERY_RESERVATION_CANCELLED',
  reason: string,
  action: RecoveryDecision['action'],
): Promise<RecoveryDecision | null> {
  const feedId = record.feedSubmissionId;
  const builder = new ReportBuilder();
  builder.addFileResult({ code, context: { feedSubmissionId: feedId } });
  const report = builder.complete({
    feedSubmissionId: feedId,
    feedType: record.feedType,
    format: 'xml',
    encoding: null,
    merchantId: record.merchantId,
  });
  const before = await moveFeedStatus(deps.redis, deps.config.prefix, record, {
    from,
    to: '_CANCELLED_',
    fields: { completedProcessingDate: deps.now(), recovery: reason },
    report,
  });
  if (before !== from) return null; // started (or cancelled) meanwhile: not ours to decide
  return { feedId, merchantId: record.merchantId, action, status: '_CANCELLED_', reason };
}
