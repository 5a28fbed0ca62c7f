/**
 * The HTTP server of `feedproc serve` (fastify): the MWS-compatible endpoint at `/` and `/Feeds/2009-01-01`,
 * the JSON API, the web pages under `/web/`, and the BullMQ dashboard. Node's own limits refuse oversized
 * headers and request lines (431) before any route runs.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { HttpContext } from './context.js';
import { registerJsonApi } from './json-api.js';
import { registerMwsEndpoint } from './mws/endpoint.js';
import { registerPages } from './pages/routes.js';

/** Request line plus headers; MWS requests carry everything in the query string, which stays far below this. */
export const MAX_HEADER_BYTES = 16 * 1024;

export async function buildServer(ctx: HttpContext): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    genReqId: () => randomUUID(),
    routerOptions: { maxParamLength: 200 },
    bodyLimit: 1 << 20, // parsed bodies (forms, JSON); feed bodies are streamed to disk with their own limit
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    // FEEDPROC_TRUST_PROXY: the protocol (cookies' Secure) comes from X-Forwarded-Proto. The MWS signature's Host
    // is read from the Host header whatever this says: that is what the client signed.
    trustProxy: ctx.config.trustProxy,
    // Stopping must not wait for a client that keeps a connection (or an unread upload) open.
    forceCloseConnections: true,
  });
  await app.register(async (scope) => registerMwsEndpoint(scope, ctx));
  await app.register(async (scope) => registerJsonApi(scope, ctx));
  await app.register(async (scope) => registerPages(scope, ctx));
  return app;
}
