/**
 * The MWS-compatible Feeds API 2009-01-01 endpoint at `/` and `/Feeds/2009-01-01` (docs/http.md): GET or
 * POST, `Action` and its parameters in the query string or a form body, Signature Version 2, XML answers and
 * `ErrorResponse`s, per-merchant throttling with the `x-mws-quota-*` headers. Existing MWS client libraries
 * work unchanged by pointing their host here.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FeedError } from '../../core/errors.js';
import type { HttpContext } from '../context.js';
import { httpErrorOf } from '../http-errors.js';
import { settleRefusedBody } from '../refused-body.js';
import { QUOTAS, type FeedOperation } from '../throttle.js';
import { ACTIONS, type ActionAnswer } from './actions.js';
import { authenticate } from './authenticate.js';
import { pathOf, queryOf, readParameters } from './form-body.js';
import type { MwsParameters } from './parameters.js';
import { errorDocument, successDocument, XML_CONTENT_TYPE } from './responses.js';

export const MWS_PATHS = ['/', '/Feeds/2009-01-01'] as const;
export const MWS_VERSION = '2009-01-01';

/** The Content-Type each request came with, taken away from fastify's view in onRequest. */
const sentContentType = new WeakMap<IncomingMessage, string | undefined>();

export async function registerMwsEndpoint(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  // Bodies are never parsed by fastify here: a SubmitFeed body is the feed whatever its Content-Type (amazon-mws
  // labels it `x-www-form-urlencoded`), streamed to disk by the upload; a form is read by readParameters.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  app.addHook('onRequest', async (request, reply) => {
    void reply.headers({ 'x-mws-request-id': request.id, 'x-mws-timestamp': new Date().toISOString() });
    // One request per connection: amazon-mws writes its request body when its socket connects, so on Node 19+,
    // whose default agent keeps connections alive, its second request to a keep-alive server is never sent.
    // MWS clients make a few requests a minute (the quotas see to that); a fresh connection each costs nothing.
    void reply.header('connection', 'close');
    // fastify refuses a malformed Content-Type with 415 before any parser runs, and that is just what amazon-mws
    // sends with every feed; the body is read here, whatever its label, so fastify is not shown the header.
    sentContentType.set(request.raw, request.raw.headers['content-type']);
    delete request.raw.headers['content-type'];
  });
  app.setErrorHandler(async (err, request, reply) => {
    const answer = httpErrorOf(err);
    // The rest of a refused body is read and dropped (within bounds) first, so the client can read the answer.
    await settleRefusedBody(request.raw, reply, ctx.config.maxFeedBytes);
    void reply.removeHeader('content-md5').removeHeader('content-length');
    return reply.status(answer.status).type(XML_CONTENT_TYPE).send(errorDocument(answer, request.id));
  });
  for (const url of MWS_PATHS)
    app.route({ method: ['GET', 'POST'], url, handler: (request, reply) => answerMws(ctx, request, reply) });
}

async function answerMws(ctx: HttpContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const url = request.raw.url ?? '/';
  // A person's browser at the root gets the web pages; a request with any parameter is an API call.
  if (request.method === 'GET' && pathOf(url) === '/' && queryOf(url) === '') return reply.redirect('/web/');
  const params = await readParameters(request.raw, sentContentType.get(request.raw));
  const action = actionOf(params);
  const signed = { method: request.method, hostHeader: request.headers.host ?? '', path: pathOf(url), params };
  const key = await authenticate(ctx.keys, signed, new Date());
  const throttle = await ctx.throttle.take(key.merchantId, action);
  void reply.headers(throttle.headers);
  if (throttle.error) throw throttle.error;
  const answer = await ACTIONS[action]({
    ctx,
    merchantId: key.merchantId,
    params,
    method: request.method,
    headers: request.headers,
    body: request.raw,
  });
  return send(reply, action, answer, request.id);
}

function actionOf(params: MwsParameters): FeedOperation {
  const action = params.required('Action');
  if (!Object.hasOwn(QUOTAS, action)) throw new FeedError('HTTP_ACTION_UNKNOWN', { action });
  const version = params.required('Version');
  if (version !== MWS_VERSION)
    throw new FeedError('HTTP_PARAMETER_INVALID', {
      name: 'Version',
      value: version,
      detail: `this endpoint speaks ${MWS_VERSION}`,
    });
  return action as FeedOperation;
}

function send(reply: FastifyReply, action: FeedOperation, answer: ActionAnswer, requestId: string): FastifyReply {
  if (answer.kind === 'xml') return reply.type(XML_CONTENT_TYPE).send(successDocument(action, requestId, answer.write));
  const { result } = answer;
  return reply.headers(result.headers).send(result.stream());
}
