/**
 * Sign-in with an access key (the same keys as the APIs: id + secret key) and sign-out. A successful sign-in
 * sets the session cookie (HttpOnly, SameSite=Strict, Path=/, Secure over https). The sign-in form carries a
 * CSRF token tied to a short-lived pre-session cookie, so no other site can sign a browser in to its own key.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FeedError } from '../../core/errors.js';
import { html } from './html.js';
import { notice, page, queryText, sendPage } from './layout.js';
import { csrfToken, csrfValid, newToken, PRESESSION_COOKIE, SESSION_COOKIE, SESSION_TTL_S } from './session.js';
import { field, type WebContext } from './web-context.js';

/** Where to go after signing in: only a page of this site under /web/. */
export function safeNext(next: string): string {
  return /^\/web\/[A-Za-z0-9/_.~%?=&+-]*$/.test(next) && !next.includes('//') && !next.includes('/..')
    ? next
    : '/web/feeds';
}

export function cookieOptions(request: FastifyRequest, maxAgeS: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: request.protocol === 'https',
    maxAge: maxAgeS,
  };
}

export function registerSignIn(app: FastifyInstance, web: WebContext): void {
  const secret = web.ctx.sessionSecret;

  const form = (
    request: FastifyRequest,
    reply: FastifyReply,
    options: { status?: number; error?: string; accessKeyId?: string; next: string },
  ) => {
    let pre = request.cookies[PRESESSION_COOKIE];
    if (!pre || !/^[A-Za-z0-9_-]{43}$/.test(pre)) {
      pre = newToken();
      void reply.setCookie(PRESESSION_COOKIE, pre, cookieOptions(request, 3600));
    }
    const body = html`
<div class="card narrow">
  ${options.error ? notice('error', options.error) : ''}
  <p class="muted">Sign in with an access key of your merchant (<code>feedproc keys create --merchant ID</code>).</p>
  <form class="stack" method="post" action="/web/sign-in" data-once>
    <input type="hidden" name="_csrf" value="${csrfToken(secret, 'signin', pre)}">
    <input type="hidden" name="next" value="${options.next}">
    <label for="accessKeyId">Access key ID</label>
    <input type="text" id="accessKeyId" name="accessKeyId" autocomplete="username" required value="${options.accessKeyId ?? ''}" spellcheck="false">
    <label for="secretKey">Secret key</label>
    <input type="password" id="secretKey" name="secretKey" autocomplete="current-password" required>
    <button type="submit" class="primary">Sign in</button>
  </form>
</div>`;
    return sendPage(reply, page({ title: 'Sign in', user: null }, body), options.status ?? 200);
  };

  app.get('/web/sign-in', async (request, reply) => {
    const next = safeNext(queryText(request.query, 'next'));
    if (await web.sessions.find(request.cookies[SESSION_COOKIE])) return reply.redirect(next, 303);
    return form(request, reply, { next });
  });

  app.post('/web/sign-in', async (request, reply) => {
    const body = request.body;
    if (!csrfValid(secret, 'signin', request.cookies[PRESESSION_COOKIE], field(body, '_csrf')))
      throw new FeedError('HTTP_CSRF');
    const accessKeyId = field(body, 'accessKeyId').trim();
    const secretKey = field(body, 'secretKey').trim();
    const next = safeNext(field(body, 'next'));
    const key =
      /^[A-Za-z0-9]{1,64}$/.test(accessKeyId) && secretKey !== ''
        ? await web.ctx.keys.verify(accessKeyId, secretKey)
        : null;
    if (!key)
      return form(request, reply, {
        status: 401,
        error: 'The access key ID or the secret key is wrong.',
        accessKeyId,
        next,
      });
    if (key.revokedAt)
      return form(request, reply, {
        status: 403,
        error: new FeedError('HTTP_KEY_REVOKED', { accessKeyId: key.accessKeyId }).message,
        accessKeyId,
        next,
      });
    const session = await web.sessions.create(key.accessKeyId, key.merchantId);
    void reply.setCookie(SESSION_COOKIE, session.token, cookieOptions(request, SESSION_TTL_S));
    void reply.clearCookie(PRESESSION_COOKIE, { path: '/' });
    return reply.redirect(next, 303);
  });

  app.post('/web/sign-out', async (request, reply) => {
    const session = web.sessionOf(request);
    web.checkCsrf(session, field(request.body, '_csrf'));
    await web.sessions.remove(session.token);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/web/sign-in', 303);
  });
}
