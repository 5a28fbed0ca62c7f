/**
 * Throttling of the signed-in pages. A page that does an API route's work draws on that route's bucket, so the
 * pages are no way round a limit (an upload is a SubmitFeed, a cancellation a CancelOrder, the cancel-rate panel
 * reads every order of its window like /metrics); every other page, the dashboard's included, draws on ViewPage,
 * which a person clicking through never empties.
 */
import type { FastifyRequest } from 'fastify';
import type { Throttle, ThrottledOperation } from '../throttle.js';
import { routePath } from './security-headers.js';

const PAGE_OPERATIONS: Readonly<Record<string, ThrottledOperation>> = Object.freeze({
  'POST /web/upload': 'SubmitFeed',
  'POST /web/orders/:id/cancel': 'CancelOrder',
  'GET /web/cancel-rate': 'GetMetrics',
});

export function pageOperation(request: FastifyRequest): ThrottledOperation {
  return PAGE_OPERATIONS[`${request.method} ${routePath(request)}`] ?? 'ViewPage';
}

/** Throws HTTP_THROTTLED (or HTTP_QUOTA_EXCEEDED) when the session's merchant has used up the page's bucket. */
export async function throttlePage(throttle: Throttle, merchantId: string, request: FastifyRequest): Promise<void> {
  const outcome = await throttle.take(merchantId, pageOperation(request));
  if (outcome.error) throw outcome.error;
}
