/**
 * Submission: a feed record, validation of the whole file with its valid messages spilled to Redis, then —
 * only if the file is not rejected — one job per partition. An identical resubmission by the same merchant is
 * recorded as a duplicate of the first and applies nothing — unless the first died while its file was read
 * (submit-lease.ts): then the resubmission cancels it and is processed instead.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { commandFromFlat } from '../apply/from-flat.js';
import { commandFromListing } from '../apply/from-listings.js';
import { commandFromXml, type CommandOrProblem } from '../apply/from-xml.js';
import { isOutOfMemory } from '../apply/redis-failures.js';
import { FeedError } from '../core/errors.js';
import { requireMerchantId } from '../core/merchant-id.js';
import { crashNow, parseFaults } from '../core/faults.js';
import { limitsOf } from '../core/limits.js';
import type { FeedTypeInfo, FlatKind, XmlMessageType } from '../core/feed-types.js';
import type { ProgressMeter } from '../core/progress-meter.js';
import type { Report, ValidMessage } from '../core/types.js';
import { ReportBuilder, toResult } from '../report/index.js';
import { validateFeedFile } from '../validate/index.js';
import { execAll } from './exec-all.js';
import {
  loadFeed,
  loadReport,
  moveFeedStatus,
  saveFeed,
  nextFeedId,
  submittedRecord,
  type FeedRecord,
} from './feed-store.js';
import { contentKey, feedKeys } from './names.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { SpillWriter } from './spill.js';
import {
  cancelUnvalidated,
  enqueuePartitions,
  enqueueRemaining,
  settledFeed,
  strandedState,
  takeSubmitLease,
} from './submit-lease.js';

export interface SubmitOptions {
  merchantId: string;
  expectedType?: FeedTypeInfo | undefined;
  /** A FeedSubmissionId reserved when the file was received (an HTTP upload): that record is started, not a new one. */
  reservedFeedId?: string | undefined;
  /** Bytes read and messages judged while the file is validated, for a progress line. */
  meter?: ProgressMeter | undefined;
  /**
   * Set when the file is not to be read at all (reading it ended the process too often, FEED_GIVEN_UP): the feed
   * is rejected with this error, nothing applied.
   */
  refuse?: FeedError | undefined;
}

/**
 * Submits the file. Throws QUEUE_REDIS_FULL when Redis is at its maxmemory (the feed is left to be resumed or
 * started over by the next submission of the file, nothing dropped), and what Redis or the disk throw.
 */
export async function submitFeed(deps: PipelineDeps, path: string, options: SubmitOptions): Promise<FeedRecord> {
  try {
    return await submit(deps, path, options);
  } catch (err) {
    if (isOutOfMemory(err)) throw new FeedError('QUEUE_REDIS_FULL', { detail: (err as Error).message }, { cause: err });
    throw err;
  }
}

async function submit(deps: PipelineDeps, path: string, options: SubmitOptions): Promise<FeedRecord> {
  requireMerchantId(options.merchantId); // every door's merchant id passes here before anything is stored
  const sha256 = await fileSha256(path);
  const submitted = options.reservedFeedId
    ? await loadFeed(deps.redis, deps.config.prefix, options.reservedFeedId)
    : await newRecord(deps, path, sha256, options);
  if (!submitted) throw new Error(`reserved feed ${options.reservedFeedId} has no record`);
  const lease = await takeSubmitLease(deps, submitted.feedSubmissionId);
  try {
    // Validation is processing: from here on the merchant can no longer cancel the feed.
    const at = deps.now();
    const from = await moveFeedStatus(deps.redis, deps.config.prefix, submitted, {
      from: '_SUBMITTED_',
      to: '_IN_PROGRESS_',
      fields: { startedProcessingDate: at },
    });
    if (from !== '_SUBMITTED_') return await resumeOwn(deps, path, options, submitted.feedSubmissionId); // cancelled, or started before a crash
    const record: FeedRecord = { ...submitted, sha256, status: '_IN_PROGRESS_', startedProcessingDate: at };
    if (parseFaults(deps.config.fault).exitBeforeClaim) crashNow();
    const first = await claimContent(deps, record);
    if (first !== null) return await finishDuplicate(deps, record, first);
    await saveFeed(deps.redis, deps.config.prefix, record);
    return await validateAndEnqueue(deps, record, path, options);
  } finally {
    await lease.release().catch(() => undefined);
  }
}

/**
 * A reserved feed already started, by a process that died (we hold its lease now): finished or cancelled, it is
 * returned as it is; validated, its jobs are enqueued again; died while reading the file, the file is read again.
 */
async function resumeOwn(
  deps: PipelineDeps,
  path: string,
  options: SubmitOptions,
  feedId: string,
): Promise<FeedRecord> {
  const record = await loadFeed(deps.redis, deps.config.prefix, feedId);
  if (!record) throw new Error(`feed ${feedId} has no record`);
  const state = await strandedState(deps, record);
  if (state === 'validated') await enqueueRemaining(deps, feedId);
  if (state !== 'unvalidated') return record;
  await new SpillWriter(deps.redis, feedKeys(deps.config.prefix, feedId)).discard();
  const first = await claimContent(deps, record); // it may have died before claiming the content
  if (first !== null) return finishDuplicate(deps, record, first);
  return validateAndEnqueue(deps, record, path, options);
}

/** A new feed record for a file submitted directly (CLI, drop folder): `_SUBMITTED_`, started at once by the caller. */
async function newRecord(
  deps: PipelineDeps,
  path: string,
  sha256: string,
  options: SubmitOptions,
): Promise<FeedRecord> {
  const record = submittedRecord({
    feedSubmissionId: await nextFeedId(deps.redis, deps.config.prefix),
    feedType: options.expectedType?.feedType ?? null,
    merchantId: options.merchantId,
    sha256,
    fileName: basename(path),
    submittedDate: deps.now(),
  });
  await saveFeed(deps.redis, deps.config.prefix, record);
  return record;
}

/**
 * Nothing was enqueued: the spilled messages go first (freeing memory), then the content, then the record. A
 * reserved feed (a drop-folder file or an HTTP upload, whose watcher tries again under the same id) goes back to
 * `_SUBMITTED_`; a direct submission (the CLI) is cancelled.
 */
async function abandon(deps: PipelineDeps, record: FeedRecord, reserved: boolean): Promise<void> {
  await deps.redis.del(...feedKeys(deps.config.prefix, record.feedSubmissionId).parts);
  const key = contentKey(deps.config.prefix, record.merchantId, record.sha256);
  if ((await deps.redis.get(key)) === record.feedSubmissionId) await deps.redis.del(key);
  const state = reserved
    ? { status: '_SUBMITTED_' as const, startedProcessingDate: null }
    : { status: '_CANCELLED_' as const, completedProcessingDate: deps.now() };
  await saveFeed(deps.redis, deps.config.prefix, { ...record, ...state });
}

/**
 * Validates the whole file, spilling its valid messages, then enqueues one job per partition. A failure while
 * reading abandons the feed (nothing was enqueued, so the next submission starts over); a failure while
 * enqueueing leaves it validated, for the next submission of the file to enqueue again.
 */
async function validateAndEnqueue(
  deps: PipelineDeps,
  record: FeedRecord,
  path: string,
  options: SubmitOptions,
): Promise<FeedRecord> {
  if (options.refuse) {
    const { feedSubmissionId, feedType, merchantId } = record;
    const head = {
      feedSubmissionId,
      feedType,
      merchantId,
      format: options.expectedType?.format ?? 'xml',
      encoding: null,
    };
    return finalizeRejected(deps, record, new ReportBuilder(deps.config.maxReportResults).reject(head, options.refuse));
  }
  let validated: { ready: FeedRecord; partitions: number[] } | FeedRecord;
  try {
    validated = await validateAndSpill(deps, record, path, options);
  } catch (err) {
    await abandon(deps, record, options.reservedFeedId !== undefined).catch(() => undefined);
    throw err;
  }
  if (!('ready' in validated)) return validated;
  if (parseFaults(deps.config.fault).exitBeforeEnqueue) crashNow();
  await enqueuePartitions(deps, record.feedSubmissionId, validated.partitions);
  return validated.ready;
}

async function validateAndSpill(
  deps: PipelineDeps,
  record: FeedRecord,
  path: string,
  options: SubmitOptions,
): Promise<{ ready: FeedRecord; partitions: number[] } | FeedRecord> {
  const keys = feedKeys(deps.config.prefix, record.feedSubmissionId);
  const spill = new SpillWriter(deps.redis, keys);
  const refused = deps.redis.pipeline();
  const onValid = (message: ValidMessage): void => {
    const converted = toCommand(message);
    if ('command' in converted) spill.add(message.messageId, converted.command);
    else {
      const result = toResult(message.messageId, {
        code: 'LEDGER_AMOUNT_UNREPRESENTABLE',
        context: converted.unrepresentable,
      });
      refused.hset(keys.results, `x${message.line}`, JSON.stringify(result));
    }
  };
  const validation = {
    expectedType: options.expectedType,
    onValid,
    onRestart: () => spill.discard(),
    pause: () => spill.drain(),
    meter: options.meter,
    limits: limitsOf(deps.config),
  };
  let report = await validateFeedFile(deps.schemas, path, validation);
  report = checkMerchant(report, options.merchantId);
  const partitions = await spill.finish();
  if (report.statusCode === 'Rejected') {
    await spill.discard();
    return finalizeRejected(deps, record, report);
  }
  await execAll(refused);
  const ready: FeedRecord = {
    ...record,
    feedType: report.feedType,
    messages: report.summary.messagesProcessed,
    pending: spill.count,
  };
  await deps.redis.set(keys.validation, JSON.stringify({ ...report, feedSubmissionId: record.feedSubmissionId }));
  await saveFeed(deps.redis, deps.config.prefix, ready);
  return { ready, partitions };
}

function toCommand(message: ValidMessage): CommandOrProblem {
  if (message.format === 'xml')
    return commandFromXml(message.messageType as XmlMessageType, message.body, message.operationType);
  if (message.format === 'json') return { command: commandFromListing(message.listing) };
  return commandFromFlat(message.flatKind as FlatKind, message.row);
}

/**
 * The MerchantIdentifier in an XML header, and the sellerId of a JSON listings header, must be the submitting
 * merchant's (5005), when the feed names one. The listings report then names the submitting merchant as its seller.
 */
function checkMerchant(report: Report, merchantId: string): Report {
  if (report.statusCode === 'Rejected' || !report.merchantId || report.merchantId === merchantId) return report;
  const json = report.format === 'json';
  const error = new FeedError(json ? 'SELLER_MISMATCH' : 'MERCHANT_MISMATCH', { given: report.merchantId, merchantId });
  return new ReportBuilder().reject(json ? { ...report, merchantId } : report, error);
}

async function finalizeRejected(deps: PipelineDeps, record: FeedRecord, report: Report): Promise<FeedRecord> {
  const done: FeedRecord = {
    ...record,
    feedType: report.feedType,
    status: '_DONE_',
    completedProcessingDate: deps.now(),
  };
  const keys = feedKeys(deps.config.prefix, record.feedSubmissionId);
  await deps.redis.set(keys.report, JSON.stringify({ ...report, feedSubmissionId: record.feedSubmissionId }));
  await saveFeed(deps.redis, deps.config.prefix, done);
  return done;
}

/**
 * Claims the content for the feed; returns null when it is the feed's, else the feed it duplicates. A first
 * feed whose submitter is still at work is waited for; one whose submitter died while reading the file is
 * cancelled and the content taken over; one that died after validating gets its jobs enqueued again.
 */
async function claimContent(deps: PipelineDeps, record: FeedRecord): Promise<string | null> {
  const key = contentKey(deps.config.prefix, record.merchantId, record.sha256);
  let from = '';
  for (;;) {
    const owner = (await deps.redis.claimContent(key, record.feedSubmissionId, from)) as string;
    if (owner === record.feedSubmissionId) return null;
    const first = await settledFeed(deps, owner);
    const state = await strandedState(deps, first);
    if (state === 'validated') await enqueueRemaining(deps, owner);
    if (state !== 'unvalidated' || !first) return owner;
    await cancelUnvalidated(deps, first);
    from = owner;
  }
}

async function finishDuplicate(deps: PipelineDeps, record: FeedRecord, first: string): Promise<FeedRecord> {
  const builder = new ReportBuilder();
  builder.addFileResult({ code: 'FEED_DUPLICATE', context: { duplicateOf: first, merchantId: record.merchantId } });
  const original = await loadReport(deps.redis, deps.config.prefix, first);
  const head = {
    feedType: original?.feedType ?? null,
    format: original?.format ?? 'xml',
    encoding: original?.encoding ?? null,
  };
  const report = builder.complete({
    feedSubmissionId: record.feedSubmissionId,
    ...head,
    merchantId: record.merchantId,
  });
  const done: FeedRecord = { ...record, status: '_DONE_', duplicateOf: first, completedProcessingDate: deps.now() };
  await deps.redis.set(feedKeys(deps.config.prefix, record.feedSubmissionId).report, JSON.stringify(report));
  await saveFeed(deps.redis, deps.config.prefix, done);
  return done;
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
