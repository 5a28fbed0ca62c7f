/** What every page module gets: the HTTP context, the session store, and the signed-in session of a request. */
import type { FastifyRequest } from 'fastify';
import { FeedError } from '../../core/errors.js';
import type { HttpContext } from '../context.js';
import type { Frame } from './layout.js';
import { csrfToken, csrfValid, type Session, type SessionStore } from './session.js';

export interface WebContext {
  ctx: HttpContext;
  sessions: SessionStore;
  /** The request's session; the sign-in hook has already sent every request without one to the sign-in page. */
  sessionOf(request: FastifyRequest): Session;
  setSession(request: FastifyRequest, session: Session): void;
  /** The frame's user part: merchant, key and the CSRF token every form of the page carries. */
  userOf(session: Session): NonNullable<Frame['user']>;
  /** Throws HTTP_CSRF unless `given` is this session's CSRF token. */
  checkCsrf(session: Session, given: unknown): void;
}

export function createWebContext(ctx: HttpContext, sessions: SessionStore): WebContext {
  const byRequest = new WeakMap<FastifyRequest, Session>();
  return {
    ctx,
    sessions,
    sessionOf(request) {
      const session = byRequest.get(request);
      if (!session) throw new FeedError('HTTP_AUTH_MISSING');
      return session;
    },
    setSession(request, session) {
      byRequest.set(request, session);
    },
    userOf(session) {
      return {
        merchantId: session.merchantId,
        accessKeyId: session.accessKeyId,
        csrf: csrfToken(ctx.sessionSecret, 'session', session.token),
      };
    },
    checkCsrf(session, given) {
      if (!csrfValid(ctx.sessionSecret, 'session', session.token, given)) throw new FeedError('HTTP_CSRF');
    },
  };
}

/** A urlencoded form field as one string ('' when absent); repeated fields give their first value. */
export function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | null)?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}

/** A repeated urlencoded form field as a list. */
export function fields(body: unknown, name: string): string[] {
  const value = (body as Record<string, unknown> | null)?.[name];
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(
    (v): v is string => typeof v === 'string',
  );
}
