/**
 * Every Redis key of the HTTP doors is built here and only here (ledger keys: apply/keys.ts; feed and queue keys:
 * queue/names.ts). Access keys and sessions are not a merchant's data — a request names its key before its
 * merchant is known — so each lives under one hash tag of its own; throttle buckets are the merchant's and share
 * the merchant's tag (built, with its cleaning, by apply/keys.ts).
 *
 *   <prefix>:{keys}:key:<accessKeyId>                hash     merchantId, secretSha256, secretSealed, createdAt, revokedAt
 *   <prefix>:{keys}:by-secret:<sha256>               string   accessKeyId, for Bearer look-ups
 *   <prefix>:{keys}:index                            zset     accessKeyId -> creation time (ms), for `keys list`
 *   <prefix>:{sessions}:session:<sha256 of token>    hash     accessKeyId, merchantId, createdAt (expires)
 *   <prefix>:{m:<M>}:throttle:<Operation>            hash     the merchant's request bucket for one operation
 */
import { merchantTag } from '../apply/keys.js';

export interface AccessKeyKeys {
  key(accessKeyId: string): string;
  bySecret(secretSha256: string): string;
  index: string;
}

export function accessKeyKeys(prefix: string): AccessKeyKeys {
  const root = `${prefix}:{keys}`;
  return Object.freeze({
    key: (accessKeyId: string) => `${root}:key:${accessKeyId}`,
    bySecret: (secretSha256: string) => `${root}:by-secret:${secretSha256}`,
    index: `${root}:index`,
  });
}

/** A session's key, from the SHA-256 of its token (the token itself is never stored). */
export const sessionKey = (prefix: string, tokenSha256: string): string =>
  `${prefix}:{sessions}:session:${tokenSha256}`;

/** The LWA clients and access tokens of the SP-API door, beside the access keys they belong to. */
export function lwaKeys(prefix: string): {
  client(clientId: string): string;
  byKey(accessKeyId: string): string;
  token(tokenSha256: string): string;
} {
  const root = `${prefix}:{keys}`;
  return Object.freeze({
    client: (clientId: string) => `${root}:lwa-client:${clientId}`,
    byKey: (accessKeyId: string) => `${root}:lwa-by-key:${accessKeyId}`,
    token: (tokenSha256: string) => `${root}:lwa-token:${tokenSha256}`,
  });
}

/** An SP-API feed document's record, the merchant's. */
export const spDocumentKey = (prefix: string, merchantId: string, documentId: string): string =>
  `${merchantTag(prefix, merchantId)}:sp-doc:${documentId}`;

/** An Idempotency-Key's binding to its request, the merchant's; keyed by the SHA-256 of the client's key. */
export const idempotencyKeyOf = (prefix: string, merchantId: string, keySha256: string): string =>
  `${merchantTag(prefix, merchantId)}:idempotency:${keySha256}`;

/** The small expiring write /health makes to learn whether Redis still takes writes. */
export const healthProbeKey = (prefix: string): string => `${prefix}:http:health-probe`;

export const throttleKey = (prefix: string, merchantId: string, operation: string): string =>
  `${merchantTag(prefix, merchantId)}:throttle:${operation}`;
