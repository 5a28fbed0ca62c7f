/**
 * Submission: a feed record, validation of the whole file with its valid messages spilled to Redis, then —
 * only if the file is not rejected — one job per partition. An identical resubmission by the same merchant is
 * recorded as a duplicate of the first and applies nothing.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { commandFromFlat } from '../apply/from-flat.js';
import { commandFromXml, type CommandOrProblem } from '../apply/from-xml.js';
import { FeedError } from '../core/errors.js';
import type { FeedTypeInfo, FlatKind, XmlMessageType } from '../core/feed-types.js';
import type { Report, ValidMessage } from '../core/types.js';
import { ReportBuilder, toResult } from '../report/index.js';
import { validateFeedFile } from '../validate/index.js';
import { execAll } from './exec-all.js';
import { finalizeFeed } from './finalize-feed.js';
import { loadFeed, loadReport, moveFeedStatus, saveFeed, nextFeedId, submittedRecord, type FeedRecord } from './feed-store.js';
import { APPLY_JOB, contentKey, feedKeys, jobId, PARTITIONS } from './names.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { SpillWriter } from './spill.js';

export interface SubmitOptions {
  merchantId: string;
  expectedType?: FeedTypeInfo | undefined;
  /** A FeedSubmissionId reserved when the file was received (an HTTP upload): that record is started, not a new one. */
  reservedFeedId?: string | undefined;
}

export async function submitFeed(deps: PipelineDeps, path: string, options: SubmitOptions): Promise<FeedRecord> {
  const sha256 = await fileSha256(path);
  const submitted = options.reservedFeedId ? await loadFeed(deps.redis, deps.config.prefix, options.reservedFeedId) : await newRecord(deps, path, sha256, options);
  if (!submitted) throw new Error(`reserved feed ${options.reservedFeedId} has no record`);
  // Validation is processing: from here on the merchant can no longer cancel the feed.
  const at = deps.now();
  const from = await moveFeedStatus(deps.redis, deps.config.prefix, submitted.feedSubmissionId, { from: '_SUBMITTED_', to: '_IN_PROGRESS_', fields: { startedProcessingDate: at } });
  if (from !== '_SUBMITTED_') return (await loadFeed(deps.redis, deps.config.prefix, submitted.feedSubmissionId)) ?? submitted; // cancelled, or started before a crash
  const record: FeedRecord = { ...submitted, sha256, status: '_IN_PROGRESS_', startedProcessingDate: at };
  const first = await claimContent(deps, options.merchantId, sha256, record.feedSubmissionId);
  if (first !== null && first !== record.feedSubmissionId) return finishDuplicate(deps, record, first);
  await saveFeed(deps.redis, deps.config.prefix, record);
  try {
    return await validateAndEnqueue(deps, record, path, options);
  } catch (err) {
    // Nothing was enqueued: free the content for a later submission (or it would be a "duplicate" of nothing).
    await abandon(deps, record).catch(() => undefined);
    throw err;
  }
}

/** A feed record for a file submitted directly (CLI, drop folder): `_SUBMITTED_`, started at once by the caller. */
async function newRecord(deps: PipelineDeps, path: string, sha256: string, options: SubmitOptions): Promise<FeedRecord> {
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

async function abandon(deps: PipelineDeps, record: FeedRecord): Promise<void> {
  const key = contentKey(deps.config.prefix, record.merchantId, record.sha256);
  if ((await deps.redis.get(key)) === record.feedSubmissionId) await deps.redis.del(key);
  await saveFeed(deps.redis, deps.config.prefix, { ...record, status: '_CANCELLED_', completedProcessingDate: deps.now() });
  await deps.redis.del(...Array.from({ length: PARTITIONS }, (_, n) => feedKeys(deps.config.prefix, record.feedSubmissionId).part(n)));
}

async function validateAndEnqueue(deps: PipelineDeps, record: FeedRecord, path: string, options: SubmitOptions): Promise<FeedRecord> {
  const keys = feedKeys(deps.config.prefix, record.feedSubmissionId);
  const spill = new SpillWriter(deps.redis, keys);
  const refused = deps.redis.pipeline();
  const onValid = (message: ValidMessage): void => {
    const converted = toCommand(message);
    if ('command' in converted) spill.add(message.messageId, converted.command);
    else {
      const result = toResult(message.messageId, { code: 'LEDGER_AMOUNT_UNREPRESENTABLE', context: converted.unrepresentable });
      refused.hset(keys.results, `x${message.line}`, JSON.stringify(result));
    }
  };
  const validation = { expectedType: options.expectedType, onValid, onRestart: () => spill.discard(), pause: () => spill.drain() };
  let report = await validateFeedFile(deps.schemas, path, validation);
  report = checkMerchant(report, options.merchantId);
  const partitions = await spill.finish();
  if (report.statusCode === 'Rejected') {
    await spill.discard();
    return finalizeRejected(deps, record, report);
  }
  await execAll(refused);
  const ready: FeedRecord = { ...record, feedType: report.feedType, messages: report.summary.messagesProcessed, pending: spill.count };
  await deps.redis.set(keys.validation, JSON.stringify({ ...report, feedSubmissionId: record.feedSubmissionId }));
  await saveFeed(deps.redis, deps.config.prefix, ready);
  const jobs = partitions.map((partition) => ({
    name: APPLY_JOB,
    data: { feedId: record.feedSubmissionId, partition },
    opts: { jobId: jobId(record.feedSubmissionId, partition) },
  }));
  if (jobs.length > 0) await deps.queue.addBulk(jobs);
  else await finalizeFeed(deps, record.feedSubmissionId);
  return ready;
}

function toCommand(message: ValidMessage): CommandOrProblem {
  if (message.format === 'xml') return commandFromXml(message.messageType as XmlMessageType, message.body, message.operationType);
  return commandFromFlat(message.flatKind as FlatKind, message.row);
}

/** The MerchantIdentifier in an XML header must be the submitting merchant's (5005), when it names one. */
function checkMerchant(report: Report, merchantId: string): Report {
  if (report.statusCode === 'Rejected' || !report.merchantId || report.merchantId === merchantId) return report;
  const error = new FeedError('MERCHANT_MISMATCH', { given: report.merchantId, merchantId });
  return new ReportBuilder().reject(report, error);
}

async function finalizeRejected(deps: PipelineDeps, record: FeedRecord, report: Report): Promise<FeedRecord> {
  const done: FeedRecord = { ...record, feedType: report.feedType, status: '_DONE_', completedProcessingDate: deps.now() };
  const keys = feedKeys(deps.config.prefix, record.feedSubmissionId);
  await deps.redis.set(keys.report, JSON.stringify({ ...report, feedSubmissionId: record.feedSubmissionId }));
  await saveFeed(deps.redis, deps.config.prefix, done);
  return done;
}

/** Remembers the first feed with this content; returns that feed's id when this is a resubmission. */
async function claimContent(deps: PipelineDeps, merchantId: string, sha256: string, feedId: string): Promise<string | null> {
  const key = contentKey(deps.config.prefix, merchantId, sha256);
  const claimed = await deps.redis.set(key, feedId, 'NX');
  return claimed === 'OK' ? null : await deps.redis.get(key);
}

async function finishDuplicate(deps: PipelineDeps, record: FeedRecord, first: string): Promise<FeedRecord> {
  const builder = new ReportBuilder();
  builder.addFileResult({ code: 'FEED_DUPLICATE', context: { duplicateOf: first, merchantId: record.merchantId } });
  const original = await loadReport(deps.redis, deps.config.prefix, first);
  const head = { feedType: original?.feedType ?? null, format: original?.format ?? 'xml', encoding: original?.encoding ?? null };
  const report = builder.complete({ feedSubmissionId: record.feedSubmissionId, ...head, merchantId: record.merchantId });
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
