/**
 * The HTTP server of `feedproc serve` (fastify): the MWS-compatible endpoint at `/` and `/Feeds/2009-01-01`,
 * the SP-API door (`/auth/o2/token`, `/feeds/2021-06-30/`), the JSON API, the web pages under `/web/`, and the BullMQ dashboard. Node's own limits refuse oversized
 * headers and request lines (431) before any route runs.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { HttpContext } from './context.js';
import { registerJsonApi } from './json-api.js';
import { registerMwsEndpoint } from './mws/endpoint.js';
import { registerPages } from './pages/routes.js';
import { continueWithinLimit } from './refused-body.js';
import { registerSpApi } from './spapi/routes.js';

/** Request line plus headers; MWS requests carry everything in the query string, which stays far below this. */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * `logger`: the process's pino logger (the watcher's, for `feedproc serve`); fastify logs through it, and each
 * answered request is one line. Without one nothing is logged.
 */
export async function buildServer(ctx: HttpContext, logger?: Logger): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger | undefined = logger?.child({ component: 'http' });
  const app = Fastify({
    ...(loggerInstance ? { loggerInstance } : { logger: false }),
    // fastify's own request logging writes two lines per request with the whole URL, and an MWS URL carries the
    // access key id and signature: one line per answered request, with the path only, instead (logRequests).
    disableRequestLogging: true,
    genReqId: () => randomUUID(),
    routerOptions: { maxParamLength: 200 },
    bodyLimit: 1 << 20, // parsed bodies (forms, JSON); feed bodies are streamed to disk with their own limit
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    // FEEDPROC_TRUST_PROXY: the protocol (cookies' Secure) comes from X-Forwarded-Proto. The MWS signature's Host
    // is read from the Host header whatever this says: that is what the client signed.
    trustProxy: ctx.config.trustProxy,
    // Stopping must not wait for a client that keeps a connection (or an unread upload) open.
    forceCloseConnections: true,
    // Nor may a client that stops sending hold it: an upload in progress keeps its body young for the recovery
    // pass by writing to it, which holds only while no connection stays silent longer than the recovery age.
    connectionTimeout: ctx.config.httpIdleTimeoutMs,
  });
  // Expect: 100-continue with a declared body over the feed limit: refused before the client sends it.
  continueWithinLimit(app.server, ctx.config.maxFeedBytes);
  if (logger) logRequests(app);
  await app.register(async (scope) => registerMwsEndpoint(scope, ctx));
  await app.register(async (scope) => registerJsonApi(scope, ctx));
  await app.register(async (scope) => registerSpApi(scope, ctx));
  await app.register(async (scope) => registerPages(scope, ctx));
  return app;
}

/** One line per answered request: method, path without the query string, status and time taken. */
function logRequests(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const url = request.raw.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const ms = Math.round(reply.elapsedTime * 10) / 10;
    request.log.info(
      { event: 'request', method: request.method, path, status: reply.statusCode, ms },
      `${request.method} ${path} ${reply.statusCode} ${ms} ms`,
    );
  });
}
