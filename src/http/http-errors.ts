/** What an HTTP error answer needs from the catalogue: the status and the MWS `Error/Code` its scope names. */
import { isOutOfMemory } from '../apply/redis-failures.js';
import { ERROR_CODES, type ErrorCode } from '../core/error-codes.js';
import { FeedError, isFeedError } from '../core/errors.js';

export interface HttpError {
  status: number;
  /** The MWS error code (`SignatureDoesNotMatch`, `RequestThrottled`, …). */
  mwsCode: string;
  /** feedproc's catalogue code. */
  code: string;
  message: string;
  /** `Sender` for the client's mistakes, `Receiver` for the server's (MWS ErrorResponse/Error/Type). */
  type: 'Sender' | 'Receiver';
}

const COME_BACK: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'CLI_REDIS_UNAVAILABLE',
  'QUEUE_REDIS_FULL',
  'UPLOAD_BODY_LOST',
]);

export function httpErrorOf(err: unknown): HttpError {
  const feedError = isFeedError(err) ? err : isOutOfMemory(err) ? redisFull(err) : clientErrorOf(err);
  const scope = feedError ? ERROR_CODES[feedError.code].scope : 'system';
  const match = /^http (\d{3}) (\S+)$/.exec(scope);
  if (feedError && match) {
    const status = Number(match[1]);
    return {
      status,
      mwsCode: match[2] as string,
      code: feedError.code,
      message: feedError.message,
      type: status >= 500 && status !== 503 ? 'Receiver' : 'Sender',
    };
  }
  // Redis away or full heals by itself, and a lost upload body is fixed by sending it again: 503 tells a client to
  // come back, where 500 would say the server is broken.
  if (feedError && COME_BACK.has(feedError.code))
    return {
      status: 503,
      mwsCode: 'ServiceUnavailable',
      code: feedError.code,
      message: feedError.message,
      type: 'Receiver',
    };
  // Anything else is the server's fault; the client learns no internals.
  return {
    status: 500,
    mwsCode: 'InternalError',
    code: 'INTERNAL',
    message: 'We encountered an internal error. Please try again.',
    type: 'Receiver',
  };
}

/** fastify's own refusals (schema validation, unparsable JSON or form, too large a form) are the client's. */
function clientErrorOf(err: unknown): FeedError | null {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return null;
  const detail = err instanceof Error ? err.message : 'bad request';
  return new FeedError(status === 413 ? 'HTTP_BODY_TOO_LARGE' : 'HTTP_BAD_REQUEST', { detail, limit: 1 << 20 });
}

/** Redis at its maxmemory with noeviction refused a write: nothing was changed, and it heals once memory is freed. */
function redisFull(err: unknown): FeedError {
  return new FeedError('QUEUE_REDIS_FULL', { detail: (err as Error).message }, { cause: err });
}
