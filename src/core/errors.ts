import { ERROR_CODES, formatErrorText, type ErrorCode } from './error-codes.js';

/**
 * The one error class. Data problems in a feed become report results, not exceptions; a FeedError is thrown for
 * problems that stop a whole operation (a rejected file, a bad command line). Callers branch on `code`.
 */
export class FeedError extends Error {
  override readonly name = 'FeedError';
  readonly code: ErrorCode;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(formatErrorText(code, context), options);
    this.code = code;
    this.context = Object.freeze({ ...context });
  }

  get resultMessageCode(): number | null {
    return ERROR_CODES[this.code].resultMessageCode;
  }
}

export function isFeedError(value: unknown): value is FeedError {
  return value instanceof FeedError;
}

/** Wraps anything thrown by a dependency, keeping it as `cause`. */
export function toFeedError(value: unknown): FeedError {
  if (isFeedError(value)) return value;
  const detail = value instanceof Error ? value.message : String(value);
  return new FeedError('INTERNAL', { detail }, { cause: value });
}
