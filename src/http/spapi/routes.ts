/**
 * The SP-API door (`/auth/o2/token` and `/feeds/2021-06-30/…`): Login with Amazon's token endpoint and the six
 * Feeds API 2021-06-30 operations with the model's paths and shapes, so that a generated SP-API client works once
 * its base URL points here. Every operation is scoped to the merchant of the `x-amz-access-token`, throttled at
 * the model's default rates, and answers errors in SP-API's `{ errors: [{ code, message, details }] }` shape.
 */
import { createHmac } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import { createGzip } from 'node:zlib';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FeedError } from '../../core/errors.js';
import { feedIdOfResultDocument, recordStatusesOf, spApiFeedType } from '../../core/sp-api-feed-types.js';
import type { FeedStatus } from '../../queue/feed-store.js';
import type { HttpContext } from '../context.js';
import type { FeedFilters } from '../feed-service.js';
import { httpErrorOf } from '../http-errors.js';
import { settleRefusedBody } from '../refused-body.js';
import { parseDate } from '../request-filters.js';
import type { SpApiOperation } from '../throttle.js';
import { FeedDocumentStore } from './documents.js';
import { ACCESS_TOKEN_SECONDS, LwaStore } from './lwa.js';
import { createSpApiFeed, spApiFeed, type CreateFeedSpecification } from './sp-feeds.js';

export const SP_API_BASE = '/feeds/2021-06-30';

type Query = Record<string, string | string[] | undefined>;

/** SP-API's error codes by status, for catalogue codes whose scope names an MWS code. */
const SP_API_CODES: Readonly<Record<number, string>> = {
  400: 'InvalidInput',
  401: 'Unauthorized',
  403: 'Unauthorized',
  404: 'NotFound',
  409: 'InvalidInput',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  429: 'QuotaExceeded',
  500: 'InternalFailure',
  503: 'ServiceUnavailable',
};
const KEEP = new Set(['InvalidInput', 'NotFound', 'QuotaExceeded', 'Unauthorized', 'AccessDenied']);

const many = (value: string | string[] | undefined): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).flatMap((v) => v.split(',')).filter(Boolean);
const one = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

export async function registerSpApi(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  const lwa = new LwaStore(ctx.deps.redis, ctx.config.prefix, ctx.keys);
  const urlKey = createHmac('sha256', ctx.sessionSecret).update('sp-api document urls').digest();
  const documents = new FeedDocumentStore(ctx.deps.redis, ctx.config, urlKey);

  await app.register(formbody); // the token endpoint's form body, as LWA takes it
  app.setErrorHandler(async (err, request, reply) => {
    const answer = httpErrorOf(err);
    // The rest of a refused body is read and dropped (within bounds) first, so the client can read the answer.
    await settleRefusedBody(request.raw, reply, ctx.config.maxFeedBytes);
    if (request.url.startsWith('/auth/o2/token'))
      return reply.status(answer.status).send({ error: lwaCode(answer.mwsCode), error_description: answer.message });
    const code = KEEP.has(answer.mwsCode) ? answer.mwsCode : (SP_API_CODES[answer.status] ?? 'InternalFailure');
    return reply.status(answer.status).send({ errors: [{ code, message: answer.message, details: answer.code }] });
  });

  /** The caller's merchant, after the operation's throttle; `x-amzn-RateLimit-Limit` on every answer. */
  const authorize = async (request: FastifyRequest, reply: FastifyReply, operation: SpApiOperation) => {
    const token = request.headers['x-amz-access-token'];
    const key = await lwa.authorize(typeof token === 'string' ? token : undefined);
    const outcome = await ctx.throttle.takeSpApi(key.merchantId, operation);
    void reply.header('x-amzn-RateLimit-Limit', outcome.rateLimit);
    if (outcome.error) throw outcome.error;
    return key.merchantId;
  };
  const baseOf = (request: FastifyRequest): string => `${request.protocol}://${request.headers.host ?? 'localhost'}`;

  app.post('/auth/o2/token', async (request) => {
    const form = (request.body ?? {}) as Record<string, string | undefined>;
    const { accessToken, refreshToken } = await lwa.exchange(form);
    return {
      access_token: accessToken,
      refresh_token: refreshToken,
      token_type: 'bearer',
      expires_in: ACCESS_TOKEN_SECONDS,
    };
  });

  app.post(`${SP_API_BASE}/documents`, async (request, reply) => {
    const merchantId = await authorize(request, reply, 'createFeedDocument');
    const body = request.body as { contentType?: unknown } | null;
    if (typeof body?.contentType !== 'string' || body.contentType === '' || body.contentType.length > 200)
      throw new FeedError('SPAPI_INPUT_INVALID', { detail: 'contentType is required: the content type of the feed.' });
    const documentId = await documents.create(merchantId, body.contentType);
    const url = `${baseOf(request)}${SP_API_BASE}/documents/${documentId}/content?${documents.signedQuery('PUT', merchantId, documentId)}`;
    return reply.status(201).send({ feedDocumentId: documentId, url });
  });

  app.post(`${SP_API_BASE}/feeds`, async (request, reply) => {
    const merchantId = await authorize(request, reply, 'createFeed');
    const feedId = await createSpApiFeed(ctx, documents, merchantId, feedSpecification(request.body));
    return reply.status(202).send({ feedId });
  });

  app.get(`${SP_API_BASE}/feeds`, async (request, reply) => {
    const merchantId = await authorize(request, reply, 'getFeeds');
    const query = request.query as Query;
    const token = one(query['nextToken']);
    const page = token
      ? await ctx.feeds.next(merchantId, token)
      : await ctx.feeds.list(merchantId, getFeedsFilters(query), pageSizeOf(one(query['pageSize'])));
    const feeds = await Promise.all(page.feeds.map((record) => spApiFeed(ctx, record)));
    return { feeds, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
  });

  app.get(`${SP_API_BASE}/feeds/:feedId`, async (request, reply) => {
    const merchantId = await authorize(request, reply, 'getFeed');
    return spApiFeed(ctx, await findFeed(ctx, merchantId, (request.params as { feedId: string }).feedId));
  });

  app.delete(`${SP_API_BASE}/feeds/:feedId`, async (request, reply) => {
    const merchantId = await authorize(request, reply, 'cancelFeed');
    const feedId = (request.params as { feedId: string }).feedId;
    const record = await findFeed(ctx, merchantId, feedId);
    // Only IN_QUEUE: a feed already cancelled, started or ended is refused (the compare-and-set decides races).
    const after = record.status === '_SUBMITTED_' ? await ctx.feeds.cancel(merchantId, { ids: [feedId] }) : [record];
    if (after[0]?.status !== '_CANCELLED_' || record.status !== '_SUBMITTED_') {
      const shown = await spApiFeed(ctx, after[0] ?? record);
      throw new FeedError('SPAPI_NOT_CANCELLABLE', { feedId, status: shown['processingStatus'] });
    }
    return reply.status(200).send();
  });

  app.get(`${SP_API_BASE}/documents/:documentId`, async (request, reply) => {
    const merchantId = await authorize(request, reply, 'getFeedDocument');
    const documentId = (request.params as { documentId: string }).documentId;
    const base = `${baseOf(request)}${SP_API_BASE}/documents/${documentId}/content?`;
    const feedId = feedIdOfResultDocument(documentId);
    if (feedId !== null) {
      const result = await resultOf(ctx, merchantId, feedId, documentId);
      const gzip = Number(result.headers['content-length']) > ctx.config.spapiGzipBytes;
      const url = base + documents.signedQuery('GET', merchantId, documentId);
      return { feedDocumentId: documentId, url, ...(gzip ? { compressionAlgorithm: 'GZIP' } : {}) };
    }
    if (!(await documents.find(merchantId, documentId)))
      throw new FeedError('SPAPI_DOCUMENT_NOT_FOUND', { feedDocumentId: documentId });
    return { feedDocumentId: documentId, url: base + documents.signedQuery('GET', merchantId, documentId) };
  });

  // The document URLs: signed, so they carry no token, as Amazon's presigned URLs.
  app.get(`${SP_API_BASE}/documents/:documentId/content`, async (request, reply) => {
    const documentId = (request.params as { documentId: string }).documentId;
    const merchantId = documents.verify('GET', documentId, request.query as Query);
    const feedId = feedIdOfResultDocument(documentId);
    if (feedId === null) {
      const document = await documents.find(merchantId, documentId);
      const bytes = document ? await documents.contentBytes(merchantId, documentId) : null;
      if (!document || bytes === null) throw new FeedError('SPAPI_DOCUMENT_NOT_FOUND', { feedDocumentId: documentId });
      return reply
        .headers({ 'content-type': document.contentType, 'content-length': String(bytes) })
        .send(createReadStream(documents.contentPath(merchantId, documentId)));
    }
    const result = await resultOf(ctx, merchantId, feedId, documentId);
    void reply.header('content-type', result.headers['content-type']);
    if (Number(result.headers['content-length']) <= ctx.config.spapiGzipBytes)
      return reply.header('content-length', result.headers['content-length']).send(result.stream());
    const gzipped = new PassThrough();
    result.stream().pipe(createGzip()).pipe(gzipped);
    return reply.send(gzipped);
  });

  await app.register(async (uploads) => {
    // The PUT body is the document, streamed to disk; its Content-Type is compared, never parsed.
    const declared = new WeakMap<object, string>();
    uploads.removeAllContentTypeParsers();
    uploads.addContentTypeParser('*', (_request, _payload, done) => done(null));
    uploads.addHook('onRequest', async (request) => {
      declared.set(request.raw, String(request.raw.headers['content-type'] ?? ''));
      delete request.raw.headers['content-type'];
    });
    uploads.put(`${SP_API_BASE}/documents/:documentId/content`, async (request, reply) => {
      const documentId = (request.params as { documentId: string }).documentId;
      const merchantId = documents.verify('PUT', documentId, request.query as Query);
      const document = await documents.find(merchantId, documentId);
      if (!document) throw new FeedError('SPAPI_DOCUMENT_NOT_FOUND', { feedDocumentId: documentId });
      const given = declared.get(request.raw) ?? '';
      if (mediaType(given) !== mediaType(document.contentType))
        throw new FeedError('SPAPI_CONTENT_TYPE_MISMATCH', {
          given: given || 'no type',
          declared: document.contentType,
        });
      if (Number(request.headers['content-length'] ?? 0) > ctx.config.maxFeedBytes)
        throw new FeedError('HTTP_BODY_TOO_LARGE', { limit: ctx.config.maxFeedBytes });
      await documents.upload(merchantId, document, request.raw);
      return reply.status(200).send();
    });
  });
}

/** LWA's error codes are snake case (`invalid_grant`); the catalogue spells them as the other HTTP codes. */
const lwaCode = (code: string): string => code.replace(/(?<=.)([A-Z])/g, '_$1').toLowerCase();

const mediaType = (value: string): string => (value.split(';')[0] ?? '').trim().toLowerCase();

async function findFeed(ctx: HttpContext, merchantId: string, feedId: string) {
  try {
    return await ctx.feeds.get(merchantId, feedId);
  } catch (err) {
    if (err instanceof FeedError && err.code === 'HTTP_FEED_NOT_FOUND')
      throw new FeedError('SPAPI_FEED_NOT_FOUND', { feedId });
    throw err;
  }
}

/** A result document is the feed's report: the merchant's own finished feed, else NotFound. */
async function resultOf(ctx: HttpContext, merchantId: string, feedId: string, documentId: string) {
  try {
    return await ctx.feeds.result(merchantId, feedId);
  } catch (err) {
    if (err instanceof FeedError && err.code.startsWith('HTTP_'))
      throw new FeedError('SPAPI_DOCUMENT_NOT_FOUND', { feedDocumentId: documentId });
    throw err;
  }
}

function feedSpecification(body: unknown): CreateFeedSpecification {
  const spec = (body ?? {}) as Record<string, unknown>;
  const bad = (detail: string): FeedError => new FeedError('SPAPI_INPUT_INVALID', { detail });
  if (typeof spec['feedType'] !== 'string' || spec['feedType'] === '') throw bad('feedType is required.');
  if (typeof spec['inputFeedDocumentId'] !== 'string' || spec['inputFeedDocumentId'] === '')
    throw bad('inputFeedDocumentId is required.');
  const marketplaces = spec['marketplaceIds'];
  if (
    !Array.isArray(marketplaces) ||
    marketplaces.length < 1 ||
    marketplaces.length > 25 ||
    !marketplaces.every((m) => typeof m === 'string' && /^[A-Z0-9]{1,20}$/.test(m))
  )
    throw bad('marketplaceIds must list 1 to 25 marketplace identifiers.');
  const options = spec['feedOptions'];
  if (
    options !== undefined &&
    (typeof options !== 'object' || options === null || !Object.values(options).every((v) => typeof v === 'string'))
  )
    throw bad('feedOptions must map names to strings.');
  return {
    feedType: spec['feedType'],
    marketplaceIds: marketplaces as string[],
    inputFeedDocumentId: spec['inputFeedDocumentId'],
    ...(options ? { feedOptions: options as Record<string, string> } : {}),
  };
}

function pageSizeOf(value: string | undefined): number {
  if (value === undefined) return 10;
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1 || size > 100)
    throw new FeedError('SPAPI_INPUT_INVALID', { detail: 'pageSize must be a whole number from 1 to 100.' });
  return size;
}

/** The model's list parameters: at most `max` items (10 for feedTypes and marketplaceIds). */
function listParameter(query: Query, name: string, max: number): string[] {
  const items = many(query[name]);
  if (items.length > max) throw new FeedError('SPAPI_INPUT_INVALID', { detail: `${name} lists at most ${max} items.` });
  return items;
}

function getFeedsFilters(query: Query): FeedFilters {
  const types = listParameter(query, 'feedTypes', 10);
  if (types.length === 0) throw new FeedError('SPAPI_INPUT_INVALID', { detail: 'feedTypes or nextToken is required.' });
  const wanted = many(query['processingStatuses']);
  const unknown = wanted.find((status) => recordStatusesOf(status).length === 0);
  if (unknown !== undefined)
    throw new FeedError('SPAPI_INPUT_INVALID', {
      detail: `processingStatuses: ${unknown} is not a processing status.`,
    });
  const statuses = wanted.flatMap(recordStatusesOf) as FeedStatus[];
  // DONE and FATAL share the record status `_DONE_`: the report's verdict tells them apart when one is asked for.
  const rejected = wanted.includes('FATAL') === wanted.includes('DONE') ? undefined : wanted.includes('FATAL');
  const marketplaceIds = listParameter(query, 'marketplaceIds', 10);
  return {
    feedTypes: types.map((t) => {
      const type = spApiFeedType(t);
      return type.kind === 'unknown' ? t : type.feedType;
    }),
    ...(statuses.length ? { statuses } : {}),
    ...(rejected !== undefined ? { rejected } : {}),
    ...(marketplaceIds.length ? { marketplaceIds } : {}),
    from: parseDate('createdSince', one(query['createdSince'])),
    to: parseDate('createdUntil', one(query['createdUntil'])),
  };
}
