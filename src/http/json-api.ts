/**
 * The JSON API (docs/http.md#the-json-api): the Feeds API operations as JSON over REST, plus orders, metrics and
 * health, each scoped to the merchant of the Bearer key and throttled with the same buckets as the MWS door.
 * Errors: `{ "error": { "code": <MWS error code>, "feedprocCode": <catalogue code>, "message" } }`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cancelOrderWithResult } from '../apply/cancel-order.js';
import { cancelRate } from '../apply/cancel-rate.js';
import { createLedger } from '../apply/ledger.js';
import { orderJson } from '../apply/ledger-json.js';
import { isCancelReason } from '../core/cancel-reasons.js';
import { FeedError } from '../core/errors.js';
import { feedInfo } from '../queue/feed-store.js';
import type { AccessKey } from './access-keys.js';
import { bearerKey } from './bearer-auth.js';
import type { HttpContext } from './context.js';
import { checkHealth } from './health.js';
import { bindIdempotencyKey } from './idempotency.js';
import { httpErrorOf } from './http-errors.js';
import { OPENAPI } from './openapi.js';
import { settleRefusedBody } from './refused-body.js';
import { filtersOf, parseMaxCount } from './request-filters.js';
import type { ThrottledOperation } from './throttle.js';

type Query = Record<string, string | string[] | undefined>;

const list = (value: string | string[] | undefined): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value])
    .flatMap((v) => v.split(','))
    .filter((v) => v !== '');

const pathOf = (url: string): string => url.split('?')[0] ?? url;

const one = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

export async function registerJsonApi(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  app.setErrorHandler(async (err, request, reply) => {
    const answer = httpErrorOf(err);
    // The rest of a refused body is read and dropped (within bounds) first, so the client can read the answer.
    await settleRefusedBody(request.raw, reply, ctx.config.maxFeedBytes);
    return reply
      .status(answer.status)
      .send({ error: { code: answer.mwsCode, feedprocCode: answer.code, message: answer.message } });
  });

  /** The caller's key, after the operation's throttle (quota headers on every answer, refusals included). */
  const authorize = async (
    request: FastifyRequest,
    reply: FastifyReply,
    operation: ThrottledOperation,
  ): Promise<AccessKey> => {
    const key = await bearerKey(ctx.keys, request);
    const outcome = await ctx.throttle.take(key.merchantId, operation);
    void reply.headers(outcome.headers);
    if (outcome.error) throw outcome.error;
    return key;
  };

  app.get('/health', async (_request, reply) => {
    const health = await checkHealth(ctx.deps.redis, ctx.config.prefix);
    return reply.status(health.status === 'ok' ? 200 : 503).send(health);
  });
  app.get('/openapi.json', async () => OPENAPI);

  await app.register(async (uploads) => {
    // The feed body is the file, whatever its Content-Type: streamed to disk by the handler, never parsed here.
    uploads.removeAllContentTypeParsers();
    uploads.addContentTypeParser('*', (_request, _payload, done) => done(null));
    // fastify answers 415 to a malformed Content-Type before any parser runs; for a feed it does not matter.
    uploads.addHook('onRequest', async (request) => {
      delete request.raw.headers['content-type'];
    });
    uploads.post('/feeds', async (request, reply) => {
      const key = await authorize(request, reply, 'SubmitFeed');
      const query = request.query as Query;
      const feedType = one(query['feedType']);
      if (!feedType) throw new FeedError('HTTP_PARAMETER_MISSING', { name: 'feedType' });
      const md5 = request.headers['content-md5'];
      const declared = Number(request.headers['content-length'] ?? 0);
      const record = await ctx.feeds.submit(
        key.merchantId,
        feedType,
        request.raw,
        typeof md5 === 'string' ? md5 : null,
        declared,
      );
      return reply.status(201).send(feedInfo(record));
    });
  });

  app.get('/feeds', async (request, reply) => {
    const query = request.query as Query;
    const token = one(query['nextToken']);
    const key = await authorize(request, reply, token ? 'GetFeedSubmissionListByNextToken' : 'GetFeedSubmissionList');
    const page = token
      ? await ctx.feeds.next(key.merchantId, token)
      : await ctx.feeds.list(key.merchantId, queryFilters(query), parseMaxCount('maxCount', one(query['maxCount'])));
    return { feeds: page.feeds.map(feedInfo), hasNext: page.nextToken !== null, nextToken: page.nextToken };
  });

  app.get('/feeds/count', async (request, reply) => {
    const key = await authorize(request, reply, 'GetFeedSubmissionCount');
    return { count: await ctx.feeds.count(key.merchantId, queryFilters(request.query as Query)) };
  });

  app.post('/feeds/cancel', async (request, reply) => {
    const key = await authorize(request, reply, 'CancelFeedSubmissions');
    const feeds = await ctx.feeds.cancel(key.merchantId, queryFilters(request.query as Query));
    return { count: feeds.length, feeds: feeds.slice(0, 100).map(feedInfo) };
  });

  app.get('/feeds/:id', async (request, reply) => {
    const key = await authorize(request, reply, 'GetFeedSubmissionList');
    return feedInfo(await ctx.feeds.get(key.merchantId, (request.params as { id: string }).id));
  });

  app.post('/feeds/:id/cancel', async (request, reply) => {
    const key = await authorize(request, reply, 'CancelFeedSubmissions');
    return feedInfo(await ctx.feeds.cancelFeed(key.merchantId, (request.params as { id: string }).id));
  });

  app.get('/feeds/:id/result', async (request, reply) => {
    const key = await authorize(request, reply, 'GetFeedSubmissionResult');
    const result = await ctx.feeds.result(key.merchantId, (request.params as { id: string }).id);
    return reply.headers(result.headers).send(result.stream());
  });

  app.get('/orders/:id', async (request, reply) => {
    const key = await authorize(request, reply, 'GetOrder');
    const orderId = (request.params as { id: string }).id;
    const order = await createLedger(ctx.deps.redis, ctx.config.prefix, key.merchantId).order(orderId);
    if (!order) throw new FeedError('HTTP_ORDER_NOT_FOUND', { orderId });
    return orderJson(order);
  });

  // The key is checked before the body, so that a caller without one learns that first.
  const checkedKeys = new WeakMap<FastifyRequest, AccessKey>();
  const keyFirst = (operation: ThrottledOperation) => ({
    preValidation: async (request: FastifyRequest, reply: FastifyReply) =>
      void checkedKeys.set(request, await authorize(request, reply, operation)),
  });
  const cancelOptions = { ...keyFirst('CancelOrder'), schema: { body: CANCEL_BODY } };
  app.post('/orders/:id/cancel', cancelOptions, async (request, reply) => {
    const key = checkedKeys.get(request) ?? (await authorize(request, reply, 'CancelOrder'));
    const orderId = (request.params as { id: string }).id;
    const body = request.body as CancelBody;
    if (!isCancelReason(body.reason))
      throw new FeedError('HTTP_PARAMETER_INVALID', {
        name: 'reason',
        value: body.reason,
        detail: 'not an acknowledgement CancelReason',
      });
    const ledger = createLedger(ctx.deps.redis, ctx.config.prefix, key.merchantId);
    if (!(await ledger.order(orderId))) throw new FeedError('HTTP_ORDER_NOT_FOUND', { orderId });
    const idempotencyKey = request.headers['idempotency-key'];
    const keyed = typeof idempotencyKey === 'string' && idempotencyKey !== '';
    if (keyed) {
      const bound = { method: request.method, path: pathOf(request.url), body: request.body };
      await bindIdempotencyKey(ctx.deps.redis, ctx.config.prefix, key.merchantId, idempotencyKey, bound);
    }
    const requestId = keyed ? `${key.merchantId}:${idempotencyKey}` : undefined;
    const result = await cancelOrderWithResult(
      ledger,
      { orderId, reason: body.reason, note: body.note, items: body.items ?? [], requestId },
      ctx.deps.now(),
    );
    return reply.status(result.result === 'Cancelled' ? 200 : 409).send(result);
  });

  // FEED_PROCESSING_FINISHED destinations of the key's merchant; the secret is in the creation answer only.
  const destinationOptions = { ...keyFirst('ManageDestinations'), schema: { body: DESTINATION_BODY } };
  app.post('/destinations', destinationOptions, async (request, reply) => {
    const key = checkedKeys.get(request) ?? (await authorize(request, reply, 'ManageDestinations'));
    const made = await ctx.destinations.add(key.merchantId, (request.body as { url: string }).url);
    return reply.status(201).send(made);
  });
  app.get('/destinations', async (request, reply) => {
    const key = await authorize(request, reply, 'ManageDestinations');
    return { destinations: await ctx.destinations.list(key.merchantId) };
  });
  app.delete('/destinations/:id', async (request, reply) => {
    const key = await authorize(request, reply, 'ManageDestinations');
    const destinationId = (request.params as { id: string }).id;
    if (!(await ctx.destinations.remove(key.merchantId, destinationId)))
      throw new FeedError('DESTINATION_NOT_FOUND', { destinationId });
    return reply.status(204).send();
  });

  app.get('/metrics', async (request, reply) => {
    const key = await authorize(request, reply, 'GetMetrics');
    const given = one((request.query as Query)['days']);
    const days = given === undefined ? 7 : /^\d+$/.test(given) ? Number(given) : NaN;
    if (!Number.isInteger(days) || days < 1 || days > 365)
      throw new FeedError('HTTP_PARAMETER_INVALID', {
        name: 'days',
        value: `'${given ?? ''}'`,
        detail: 'a whole number of days from 1 to 365',
      });
    // Reads every order of the window (up to 365 days): its own throttle bucket bounds how often.
    return cancelRate(ctx.deps.redis, ctx.config.prefix, key.merchantId, days);
  });
}

interface CancelBody {
  reason: string;
  note?: string;
  items?: Array<{ code: string; quantity?: number }>;
}

const DESTINATION_BODY = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: { url: { type: 'string', maxLength: 2000 } },
} as const;

const CANCEL_BODY = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: {
    reason: { type: 'string', maxLength: 64 },
    note: { type: 'string', maxLength: 1000 },
    items: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        required: ['code'],
        additionalProperties: false,
        properties: {
          code: { type: 'string', pattern: '^\\d{14}$' },
          quantity: { type: 'integer', minimum: 1, maximum: 999999 },
        },
      },
    },
  },
} as const;

function queryFilters(query: Query) {
  const parts = {
    ids: list(query['id']),
    feedTypes: list(query['feedType']),
    statuses: list(query['status']),
    from: one(query['from']),
    to: one(query['to']),
  };
  return filtersOf(parts, { ids: 'id', statuses: 'status', from: 'from', to: 'to' });
}
