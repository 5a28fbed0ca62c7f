/**
 * The one merchant id rule. A merchant id names a drop-folder subfolder, an access key's owner and the Redis hash
 * tag `{m:<id>}` of its ledger, so it is checked wherever it enters (drop folder, HTTP keys, CLI settings) and
 * the key builders escape it once more, injectively, so that no two ids can ever share a ledger.
 */
import { FeedError } from './errors.js';

/** Letters, digits, '-' and '_', 1–50 characters (MWS merchant ids are alphanumeric). */
export const MERCHANT_ID_PATTERN = /^[A-Za-z0-9_-]{1,50}$/;

export function isMerchantId(value: string): boolean {
  return MERCHANT_ID_PATTERN.test(value);
}

/** Throws MERCHANT_ID_INVALID unless the id follows the rule. */
export function requireMerchantId(value: string): string {
  if (!isMerchantId(value)) throw new FeedError('MERCHANT_ID_INVALID', { given: JSON.stringify(value) });
  return value;
}

/**
 * The id as it appears inside a Redis key: valid ids unchanged; any other character as `%XX` per UTF-8 byte
 * (`%` included), so distinct ids always give distinct keys and `{`, `}` or `:` never move the hash tag.
 */
export function merchantKeyPart(merchantId: string): string {
  return merchantId.replace(/[^A-Za-z0-9_-]/gu, (char) =>
    Array.from(Buffer.from(char, 'utf8'), (byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

/** The inverse of merchantKeyPart (for listing the merchants that have keys). */
export function merchantFromKeyPart(part: string): string {
  return part.includes('%') ? decodeURIComponent(part) : part;
}
