/**
 * The BullMQ dashboard (bull-board) for the apply queue, mounted at /web/queues inside the signed-in scope: the
 * session hook runs before its pages, assets and API. Its own scripts call its API with fetch and no CSRF
 * token, so a request that changes something must come from this origin (Origin or Sec-Fetch-Site), besides
 * the SameSite=Strict session cookie. The queue holds every merchant's jobs, so only an operator's session
 * (`keys create --operator`) reaches it (routes.ts refuses merchants' sessions with HTTP_OPERATORS_ONLY; they see
 * their feeds' job states on the feed pages), and it stays read-only: it cannot retry, clean, add or remove jobs.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FeedError } from '../../core/errors.js';
import { httpErrorOf } from '../http-errors.js';
import { QUEUES_PATH } from './security-headers.js';
import type { WebContext } from './web-context.js';

/** True when a state-changing request to the dashboard was made by a page of this origin. */
export function sameOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin';
  const origin = request.headers.origin;
  return typeof origin === 'string' && origin === `${request.protocol}://${request.host}`;
}

export async function registerQueues(app: FastifyInstance, web: WebContext): Promise<void> {
  const adapter = new FastifyAdapter();
  adapter.setBasePath(QUEUES_PATH);
  // @bull-board/fastify 9.10.1 (the latest) pins @bull-board/api 9.10.1 under itself while we have 9.10.2: the
  // same adapter interface, but TypeScript sees two declarations of its private fields.
  const serverAdapter = adapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'];
  createBullBoard({
    queues: [new BullMQAdapter(web.ctx.deps.queue, { readOnlyMode: true })],
    serverAdapter,
    options: { uiConfig: { boardTitle: 'feedproc queues' } },
  });
  await app.register(async (scope) => {
    // Answered here: an error thrown in this hook would reach bull-board's own error handler (a 500).
    scope.addHook('preHandler', async (request, reply) => {
      if (request.method === 'GET' || request.method === 'HEAD' || sameOrigin(request)) return;
      const refusal = httpErrorOf(new FeedError('HTTP_CSRF'));
      return reply
        .status(refusal.status)
        .send({ error: { code: refusal.mwsCode, feedprocCode: refusal.code, message: refusal.message } });
    });
    // Its page links a web font from a third party, which the CSP blocks (a console error on every visit):
    // nothing of the dashboard leaves this origin, so the link goes and the dashboard uses system fonts.
    scope.addHook('onSend', async (_request, reply, payload) => {
      const type = String(reply.getHeader('content-type') ?? '');
      return typeof payload === 'string' && type.startsWith('text/html') ? withoutThirdPartyLinks(payload) : payload;
    });
    await scope.register(adapter.registerPlugin(), { prefix: QUEUES_PATH });
  });
}

/** The page without `<link>`s to another origin (bull-board's Google Fonts stylesheet). */
export function withoutThirdPartyLinks(page: string): string {
  return page.replace(/<link\b[^>]*\bhref="https?:\/\/[^"]*"[^>]*>/gi, '');
}
