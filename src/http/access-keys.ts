/**
 * Access keys: an id (public, like AWS's AKIA…) and a secret shown once. A key reaches one merchant's feeds and
 * orders. At rest the secret is kept twice: SHA-256 (Bearer tokens and sign-in only compare; a 240-bit random
 * secret needs no slow hash) and sealed with the server key (Signature Version 2 needs the secret itself).
 *
 *   <prefix>:{keys}:key:<accessKeyId>       hash     merchantId, secretSha256, secretSealed, createdAt, revokedAt
 *   <prefix>:{keys}:by-secret:<sha256>      string   accessKeyId, for Bearer look-ups
 *   <prefix>:{keys}:index                   zset     accessKeyId -> creation time (ms), for `keys list`
 *
 * (the keys are built in keys.ts).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RedisClient } from '../core/redis-client.js';
import { accessKeyKeys } from './keys.js';
import { requireMerchantId } from '../core/merchant-id.js';
import { seal, unseal } from '../core/secret-box.js';

export interface AccessKey {
  accessKeyId: string;
  merchantId: string;
  /** An operator's key (`keys create --operator`): the queue dashboard only. */
  operator: boolean;
  createdAt: string;
  revokedAt: string | null;
}

export interface NewAccessKey {
  accessKeyId: string;
  secretKey: string;
  merchantId: string;
}

/**
 * The merchant field of an operator's key: no merchant id can look like it (merchant ids hold no '*'), so an
 * operator's key never matches a merchant's SellerId, feeds or sessions.
 */
export const OPERATOR = '*operator*';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

const keyHash = (prefix: string, id: string): string => accessKeyKeys(prefix).key(id);
const bySecret = (prefix: string, sha: string): string => accessKeyKeys(prefix).bySecret(sha);
const keyIndex = (prefix: string): string => accessKeyKeys(prefix).index;

export const secretSha256 = (secret: string): string => createHash('sha256').update(secret).digest('hex');

function newAccessKeyId(): string {
  const bytes = randomBytes(16);
  return `AKFP${Array.from(bytes, (b) => BASE32[b % 32]).join('')}`;
}

export class AccessKeyStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly serverKey: Buffer,
  ) {}

  /** The Redis connection, for stores kept beside the keys (LWA clients). */
  get redisClient(): RedisClient {
    return this.redis;
  }

  /** A merchant's key, or with null an operator's (the queue dashboard only, no merchant's feeds). */
  async create(merchant: string | null, now: Date = new Date()): Promise<NewAccessKey> {
    const merchantId = merchant === null ? OPERATOR : requireMerchantId(merchant);
    const accessKeyId = newAccessKeyId();
    const secretKey = randomBytes(30).toString('base64url');
    const sha = secretSha256(secretKey);
    await this.redis
      .multi()
      .hset(keyHash(this.prefix, accessKeyId), {
        merchantId,
        secretSha256: sha,
        secretSealed: seal(this.serverKey, secretKey, accessKeyId),
        createdAt: now.toISOString(),
        revokedAt: '',
      })
      .set(bySecret(this.prefix, sha), accessKeyId)
      .zadd(keyIndex(this.prefix), now.getTime(), accessKeyId)
      .exec();
    return { accessKeyId, secretKey, merchantId };
  }

  async find(accessKeyId: string): Promise<AccessKey | null> {
    const raw = await this.redis.hgetall(keyHash(this.prefix, accessKeyId));
    if (!raw['merchantId']) return null;
    return {
      accessKeyId,
      merchantId: raw['merchantId'],
      operator: raw['merchantId'] === OPERATOR,
      createdAt: raw['createdAt'] ?? '',
      revokedAt: raw['revokedAt'] || null,
    };
  }

  /** The key whose secret this is (Bearer tokens), or null. */
  async findBySecret(secretKey: string): Promise<AccessKey | null> {
    const id = await this.redis.get(bySecret(this.prefix, secretSha256(secretKey)));
    return id === null ? null : this.find(id);
  }

  /** The key when id and secret belong together (sign-in), compared in constant time. */
  async verify(accessKeyId: string, secretKey: string): Promise<AccessKey | null> {
    const stored = await this.redis.hget(keyHash(this.prefix, accessKeyId), 'secretSha256');
    if (!stored) return null;
    const given = Buffer.from(secretSha256(secretKey), 'hex');
    return timingSafeEqual(given, Buffer.from(stored, 'hex')) ? this.find(accessKeyId) : null;
  }

  /** The plain secret, for checking an HMAC signature; null for unknown keys. */
  async secretFor(accessKeyId: string): Promise<string | null> {
    const sealed = await this.redis.hget(keyHash(this.prefix, accessKeyId), 'secretSealed');
    return sealed ? unseal(this.serverKey, sealed, accessKeyId) : null;
  }

  async list(merchantId?: string): Promise<AccessKey[]> {
    const ids = await this.redis.zrange(keyIndex(this.prefix), '0', '-1');
    const keys = await Promise.all(ids.map((id) => this.find(id)));
    return keys.filter((k): k is AccessKey => k !== null && (merchantId === undefined || k.merchantId === merchantId));
  }

  /** False when there is no such key; revoking twice keeps the first time. */
  async revoke(accessKeyId: string, now: Date = new Date()): Promise<boolean> {
    const key = await this.find(accessKeyId);
    if (!key) return false;
    if (!key.revokedAt) await this.redis.hset(keyHash(this.prefix, accessKeyId), 'revokedAt', now.toISOString());
    return true;
  }
}
