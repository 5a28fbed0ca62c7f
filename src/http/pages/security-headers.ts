/**
 * Headers on every answer under /web/: a strict Content-Security-Policy (scripts and styles only from this
 * origin's /web/ files, no inline script, no plugins, no framing, forms post only here), nosniff, no framing, no
 * referrer. The BullMQ dashboard is a prebuilt React app with inline styles, so its pages get a policy that
 * allows those too. The web font its page links from Google is taken out of the page (queues.ts): nothing leaves
 * for a third party, the browser reports no blocked stylesheet, and the dashboard uses system fonts.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

const PAGES_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const QUEUES_PATH = '/web/queues';

/**
 * The path of the route a request reached (its pattern), not the raw URL: the router decodes escapes before it
 * matches, so `/web/qu%65ues/…` reaches the dashboard while its raw URL does not start with its path.
 */
export function routePath(request: FastifyRequest): string {
  return request.routeOptions.url ?? request.url.split('?')[0] ?? '';
}

/** True for the BullMQ dashboard's pages, assets and API. */
export function isDashboard(request: FastifyRequest): boolean {
  const path = routePath(request);
  return path === QUEUES_PATH || path.startsWith(`${QUEUES_PATH}/`);
}

export async function securityHeaders(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const dashboard = isDashboard(request);
  void reply.headers({
    'content-security-policy': dashboard ? DASHBOARD_CSP : PAGES_CSP,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
  });
}
