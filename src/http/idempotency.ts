/**
 * An `Idempotency-Key` names one request, not a slot: the first request that uses a key binds it to its method,
 * path and body (a SHA-256 of the three), and a later request with the same key must be that same request. A
 * retry then gets the first answer (the ledger's exactly-once mark replays it); a different request with a used
 * key is refused (422), never answered with another request's result.
 */
import { createHash } from 'node:crypto';
import type { RedisClient } from '../core/redis-client.js';
import { FeedError } from '../core/errors.js';
import { idempotencyKeyOf } from './keys.js';

/** As long as the ledger keeps the exactly-once mark of a seller's cancel request. */
export const IDEMPOTENCY_BINDING_MS = 7 * 24 * 3600 * 1000;

/** The key's binding, in the merchant's hash slot; the client's key is hashed so its length and bytes do not matter. */
export const idempotencyBindingKey = (prefix: string, merchantId: string, idempotencyKey: string): string =>
  idempotencyKeyOf(prefix, merchantId, createHash('sha256').update(idempotencyKey).digest('hex'));

export interface BoundRequest {
  method: string;
  path: string;
  body: unknown;
}

export function requestFingerprint(request: BoundRequest): string {
  return createHash('sha256')
    .update(`${request.method.toUpperCase()}\n${request.path}\n`)
    .update(JSON.stringify(request.body ?? null))
    .digest('hex');
}

/** Binds the key to the request on first use; throws HTTP_IDEMPOTENCY_KEY_REUSED when it is bound to another. */
export async function bindIdempotencyKey(
  redis: RedisClient,
  prefix: string,
  merchantId: string,
  idempotencyKey: string,
  request: BoundRequest,
): Promise<void> {
  const key = idempotencyBindingKey(prefix, merchantId, idempotencyKey);
  const fingerprint = requestFingerprint(request);
  const set = await redis.set(key, fingerprint, 'PX', IDEMPOTENCY_BINDING_MS, 'NX');
  if (set === 'OK') return;
  const bound = await redis.get(key);
  if (bound !== null && bound !== fingerprint)
    throw new FeedError('HTTP_IDEMPOTENCY_KEY_REUSED', {
      idempotencyKey: idempotencyKey.slice(0, 100),
      method: request.method,
      path: request.path,
    });
}
