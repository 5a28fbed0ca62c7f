/**
 * The parameters of an MWS request arrive in the query string or, for a POST, in an
 * application/x-www-form-urlencoded body. The endpoint takes every body raw (a SubmitFeed body is the feed, sent
 * with whatever Content-Type the client likes), so a form is read here, with a small limit.
 */
import type { IncomingMessage } from 'node:http';
import { FeedError } from '../../core/errors.js';
import { keepOpen } from '../refused-body.js';
import { MwsParameters } from './parameters.js';

/** Far above any real request: 100 ids and every filter fit in a few KiB. */
export const FORM_LIMIT_BYTES = 64 * 1024;

const isForm = (contentType: string | undefined): boolean =>
  (contentType ?? '').split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';

/** The query string of a request URL, without the `?`. */
export const queryOf = (url: string): string => (url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');

export const pathOf = (url: string): string => url.split('?')[0] ?? '/';

/**
 * The request's parameters. A form body is read only when the query does not make it a SubmitFeed, whose body
 * is the feed whatever it is labelled.
 */
export async function readParameters(
  request: IncomingMessage,
  contentType: string | undefined,
): Promise<MwsParameters> {
  const query = queryOf(request.url ?? '/');
  const fromQuery = MwsParameters.parse(query);
  if (request.method !== 'POST' || fromQuery.get('Action') === 'SubmitFeed' || !isForm(contentType)) return fromQuery;
  const form = await readForm(request);
  const params = MwsParameters.parse(query, form);
  if (params.get('Action') === 'SubmitFeed')
    throw new FeedError('HTTP_BAD_REQUEST', {
      detail: 'SubmitFeed takes its parameters in the query string; the body is the feed',
    });
  return params;
}

async function readForm(request: IncomingMessage): Promise<string> {
  if (Number(request.headers['content-length'] ?? 0) > FORM_LIMIT_BYTES)
    throw new FeedError('HTTP_FORM_TOO_LARGE', { limit: FORM_LIMIT_BYTES });
  const chunks: Buffer[] = [];
  let bytes = 0;
  // keepOpen: leaving the loop early must not destroy the request, whose refusal is still to be answered.
  for await (const chunk of keepOpen(request) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > FORM_LIMIT_BYTES) throw new FeedError('HTTP_FORM_TOO_LARGE', { limit: FORM_LIMIT_BYTES });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
