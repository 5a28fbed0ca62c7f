/**
 * createFeed and the Feed shape of the SP-API door, over the same feed records, claim path, workers, ledger and
 * reports as the other doors (FeedService). A feed this door cannot process — retired listings type, unknown
 * type, document never uploaded — still gets a feed record, finished at once as rejected, so that getFeed says
 * FATAL and its result document says why.
 */
import { createReadStream } from 'node:fs';
import { feedTypeByName } from '../../core/feed-types.js';
import { FeedError } from '../../core/errors.js';
import type { ErrorCode } from '../../core/error-codes.js';
import {
  ACCEPTED_SP_API_TYPES,
  resultDocumentId,
  spApiFeedType,
  spApiName,
  spApiStatus,
} from '../../core/sp-api-feed-types.js';
import {
  loadMarketplaceIds,
  loadReportHead,
  nextFeedId,
  saveFeed,
  saveSpApiOrigin,
  submittedRecord,
  type FeedRecord,
} from '../../queue/feed-store.js';
import { feedKeys } from '../../queue/names.js';
import { ReportBuilder } from '../../report/index.js';
import type { HttpContext } from '../context.js';
import type { FeedDocumentStore } from './documents.js';

export interface CreateFeedSpecification {
  feedType: string;
  marketplaceIds: string[];
  inputFeedDocumentId: string;
  feedOptions?: Record<string, string>;
}

/** The model's Feed. */
export async function spApiFeed(ctx: HttpContext, record: FeedRecord): Promise<Record<string, unknown>> {
  const head =
    record.status === '_DONE_'
      ? await loadReportHead(ctx.deps.redis, ctx.config.prefix, record.feedSubmissionId)
      : null;
  const status = spApiStatus(record.status, head?.statusCode === 'Rejected');
  const marketplaces = await loadMarketplaceIds(ctx.deps.redis, ctx.config.prefix, record.feedSubmissionId);
  return {
    feedId: record.feedSubmissionId,
    feedType: spApiName(record.feedType ?? ''),
    ...(marketplaces.length ? { marketplaceIds: marketplaces } : {}),
    createdTime: record.submittedDate,
    processingStatus: status,
    ...(record.startedProcessingDate ? { processingStartTime: record.startedProcessingDate } : {}),
    ...(record.completedProcessingDate ? { processingEndTime: record.completedProcessingDate } : {}),
    ...(status === 'DONE' || status === 'FATAL'
      ? { resultFeedDocumentId: resultDocumentId(record.feedSubmissionId) }
      : {}),
  };
}

export async function createSpApiFeed(
  ctx: HttpContext,
  documents: FeedDocumentStore,
  merchantId: string,
  spec: CreateFeedSpecification,
): Promise<string> {
  const type = spApiFeedType(spec.feedType);
  const document = await documents.find(merchantId, spec.inputFeedDocumentId);
  if (document?.usedBy)
    throw new FeedError('SPAPI_DOCUMENT_REUSED', { feedDocumentId: document.documentId, feedId: document.usedBy });
  if (type.kind === 'retired')
    return fatalFeed(ctx, merchantId, spec, type.feedType, 'SPAPI_FEED_TYPE_RETIRED', { feedType: spec.feedType });
  if (type.kind === 'unknown')
    return fatalFeed(ctx, merchantId, spec, spec.feedType, 'SPAPI_FEED_TYPE_UNKNOWN', {
      feedType: spec.feedType,
      accepted: ACCEPTED_SP_API_TYPES.join(', '),
    });
  const bytes = document ? await documents.contentBytes(merchantId, document.documentId) : null;
  if (!document || bytes === null) {
    const detail = document ? 'holds no uploaded content' : 'does not exist';
    return fatalFeed(ctx, merchantId, spec, type.feedType, 'SPAPI_DOCUMENT_MISSING', {
      feedDocumentId: spec.inputFeedDocumentId,
      detail,
    });
  }
  // The document is taken before its content is read, so that two createFeed calls cannot both use it.
  if (!(await documents.claim(merchantId, document.documentId, 'pending')))
    throw new FeedError('SPAPI_DOCUMENT_REUSED', { feedDocumentId: document.documentId, feedId: 'another feed' });
  const body = createReadStream(documents.contentPath(merchantId, document.documentId));
  const record = await ctx.feeds.submit(merchantId, type.feedType, body, null, bytes);
  await documents.setUsedBy(merchantId, document.documentId, record.feedSubmissionId);
  await remember(ctx, record.feedSubmissionId, spec);
  await documents.removeContent(merchantId, document.documentId);
  return record.feedSubmissionId;
}

async function remember(ctx: HttpContext, feedId: string, spec: CreateFeedSpecification): Promise<void> {
  const origin = { marketplaceIds: spec.marketplaceIds, documentId: spec.inputFeedDocumentId };
  await saveSpApiOrigin(ctx.deps.redis, ctx.config.prefix, feedId, origin);
}

/** A feed record finished at once as rejected, its report holding the one reason. */
async function fatalFeed(
  ctx: HttpContext,
  merchantId: string,
  spec: CreateFeedSpecification,
  feedType: string,
  code: ErrorCode,
  context: Record<string, unknown>,
): Promise<string> {
  const { redis, config } = ctx.deps;
  const feedId = await nextFeedId(redis, config.prefix);
  const format = feedTypeByName(feedType)?.format ?? 'json';
  const report = new ReportBuilder().reject(
    { feedSubmissionId: feedId, feedType, format, encoding: null, merchantId },
    new FeedError(code, context),
  );
  const now = ctx.deps.now();
  const received = submittedRecord({
    feedSubmissionId: feedId,
    feedType,
    merchantId,
    sha256: '',
    fileName: `sp-api-${feedId}`,
    submittedDate: now,
  });
  await redis.set(feedKeys(config.prefix, feedId).report, JSON.stringify(report));
  await remember(ctx, feedId, spec);
  await saveFeed(redis, config.prefix, {
    ...received,
    status: '_DONE_',
    startedProcessingDate: now,
    completedProcessingDate: now,
  });
  return feedId;
}
