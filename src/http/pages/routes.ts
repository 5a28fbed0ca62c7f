/**
 * The web pages under /web/ (docs/http.md#web-pages): server-rendered HTML for people, behind a sign-in with an
 * access key. This scope has its own cookie, form and multipart parsing, security headers, session hook, CSRF
 * check and HTML error pages; the API doors in other scopes see none of it.
 *
 * Order of checks on every request: security headers; the session (none: 303 to the sign-in page, for GET and
 * POST alike, so nothing changes); for a POST, the CSRF token of the session (sign-in and multipart uploads
 * check theirs in the handler, the dashboard checks the origin); then the page.
 */
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FeedError } from '../../core/errors.js';
import type { HttpContext } from '../context.js';
import { OPERATOR } from '../access-keys.js';
import { httpErrorOf } from '../http-errors.js';
import { settleRefusedBody } from '../refused-body.js';
import { registerAssets } from './assets.js';
import { registerCancelRate } from './cancel-rate-chart.js';
import { registerFeeds } from './feeds.js';
import { html } from './html.js';
import { notice, page, sendPage } from './layout.js';
import { throttlePage } from './page-throttle.js';
import { registerOrders } from './orders.js';
import { registerQueues } from './queues.js';
import { registerReport } from './report.js';
import { isDashboard, QUEUES_PATH, routePath, securityHeaders } from './security-headers.js';
import { SESSION_COOKIE, SessionStore } from './session.js';
import { registerSignIn } from './sign-in.js';
import { createWebContext, field, type WebContext } from './web-context.js';

/** Reachable without a session. */
const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/web/sign-in', '/web/app.css', '/web/app.js']);

export async function registerPages(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  await app.register(cookie);
  await app.register(formbody);
  await app.register(multipart, {
    limits: { fields: 10, fieldSize: 4096, files: 1, parts: 12, headerPairs: 100, fileSize: ctx.config.maxFeedBytes },
  });
  const web = createWebContext(ctx, new SessionStore(ctx.deps.redis, ctx.config.prefix, ctx.keys));

  app.addHook('onRequest', securityHeaders);
  app.addHook('onRequest', async (request, reply) => {
    if (PUBLIC_PATHS.has(routePath(request))) return;
    const session = await web.sessions.find(request.cookies[SESSION_COOKIE]);
    if (!session) {
      if (request.cookies[SESSION_COOKIE] !== undefined) void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.redirect(
        `/web/sign-in?next=${encodeURIComponent(request.method === 'GET' ? request.url : '/web/feeds')}`,
        303,
      );
    }
    web.setSession(request, session);
    // The dashboard shows every merchant's jobs: operators only. An operator's session sees nothing else.
    const dashboard = isDashboard(request);
    const operator = session.merchantId === OPERATOR;
    if (dashboard && !operator) return refuseAsJson(reply, new FeedError('HTTP_OPERATORS_ONLY'));
    if (operator && !dashboard && routePath(request) !== '/web/sign-out') return reply.redirect(QUEUES_PATH, 303);
    // The dashboard's own error handler would turn a throw into a 500: its refusals are answered here.
    const throttled = await throttlePage(web.ctx.throttle, session.merchantId, request).then(
      () => null,
      (err: unknown) => err,
    );
    if (throttled && dashboard) return refuseAsJson(reply, throttled);
    if (throttled) throw throttled;
  });
  app.addHook('preHandler', async (request) => {
    if (request.method !== 'POST') return;
    if (routePath(request) === '/web/sign-in' || isDashboard(request) || request.isMultipart()) return;
    web.checkCsrf(web.sessionOf(request), field(request.body, '_csrf'));
  });
  app.setErrorHandler((err, request, reply) => errorPage(web, request, reply, err));

  registerAssets(app);
  registerSignIn(app, web);
  registerFeeds(app, web);
  registerReport(app, web);
  registerOrders(app, web);
  registerCancelRate(app, web);
  app.all('/web/*', async (request) => {
    throw new FeedError('HTTP_NOT_FOUND', { path: request.url.split('?')[0] ?? '' });
  });
  await registerQueues(app, web);
}

/** A refusal in the JSON shape of the other doors (the dashboard's API is called by scripts). */
function refuseAsJson(reply: FastifyReply, err: unknown): FastifyReply {
  const refusal = httpErrorOf(err);
  return reply
    .status(refusal.status)
    .send({ error: { code: refusal.mwsCode, feedprocCode: refusal.code, message: refusal.message } });
}

async function errorPage(web: WebContext, request: FastifyRequest, reply: FastifyReply, err: unknown) {
  const answer = httpErrorOf(err);
  // The rest of a refused upload is read and dropped (within bounds) first, so the browser can show the page.
  await settleRefusedBody(request.raw, reply, web.ctx.config.maxFeedBytes);
  let user: ReturnType<WebContext['userOf']> | null;
  try {
    user = web.userOf(web.sessionOf(request));
  } catch {
    user = null; // an error before or without a session (sign-in form, CSRF on sign-in)
  }
  const title =
    answer.status === 404
      ? 'Not found'
      : answer.status === 403
        ? 'Refused'
        : answer.status >= 500
          ? 'Something went wrong'
          : 'Cannot do that';
  const body = html`<div id="error" data-code="${answer.code}">${notice('error', answer.message)}</div>
<p><a href="/web/feeds">Feeds</a> · <a href="/web/orders">Orders</a></p>`;
  return sendPage(reply, page({ title, user }, body), answer.status);
}
