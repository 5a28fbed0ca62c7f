/**
 * Login with Amazon for the SP-API door: each access key gets an LWA client (id, secret) and a refresh token,
 * shown once by `keys create`. They are only ever compared, so at rest they are kept as SHA-256 (240-bit and
 * longer random values need no slow hash). An access token lives 3600 s; only its SHA-256 is stored, with that
 * TTL, so Redis expires it. Revoking the access key revokes everything made from it on the next request.
 *
 *   <prefix>:{keys}:lwa-client:<clientId>      hash     accessKeyId, clientSecretSha256, refreshTokenSha256
 *   <prefix>:{keys}:lwa-by-key:<accessKeyId>   string   clientId
 *   <prefix>:{keys}:lwa-token:<sha256>         string   accessKeyId, expires after 3600 s
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { FeedError } from '../../core/errors.js';
import type { RedisClient } from '../../core/redis-client.js';
import { lwaKeys } from '../keys.js';
import { secretSha256, type AccessKey, type AccessKeyStore } from '../access-keys.js';

export const ACCESS_TOKEN_SECONDS = 3600;

export interface LwaCredentials {
  lwaClientId: string;
  lwaClientSecret: string;
  refreshToken: string;
}

const clientKey = (prefix: string, clientId: string): string => lwaKeys(prefix).client(clientId);
const byKey = (prefix: string, accessKeyId: string): string => lwaKeys(prefix).byKey(accessKeyId);
const tokenKey = (prefix: string, sha: string): string => lwaKeys(prefix).token(sha);

function sameSha(given: string, stored: string | undefined): boolean {
  if (!stored) return false;
  return timingSafeEqual(Buffer.from(secretSha256(given), 'hex'), Buffer.from(stored, 'hex'));
}

export class LwaStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly keys: AccessKeyStore,
  ) {}

  /** The LWA client and refresh token of an access key, made when the key is created. */
  async create(accessKeyId: string): Promise<LwaCredentials> {
    const lwaClientId = `amzn1.application-oa2-client.${randomBytes(16).toString('hex')}`;
    const lwaClientSecret = `amzn1.oa2-cs.v1.${randomBytes(32).toString('hex')}`;
    const refreshToken = `Atzr|${randomBytes(48).toString('base64url')}`;
    await this.redis
      .multi()
      .hset(clientKey(this.prefix, lwaClientId), {
        accessKeyId,
        clientSecretSha256: secretSha256(lwaClientSecret),
        refreshTokenSha256: secretSha256(refreshToken),
      })
      .set(byKey(this.prefix, accessKeyId), lwaClientId)
      .exec();
    return { lwaClientId, lwaClientSecret, refreshToken };
  }

  /** `grant_type=refresh_token`: a new access token, or the LWA error (client first, then grant, as LWA). */
  async exchange(form: Record<string, string | undefined>): Promise<{ accessToken: string; refreshToken: string }> {
    for (const name of ['grant_type', 'refresh_token', 'client_id', 'client_secret'])
      if (!form[name]) throw new FeedError('LWA_INVALID_REQUEST', { name });
    if (form['grant_type'] !== 'refresh_token')
      throw new FeedError('LWA_UNSUPPORTED_GRANT', { grantType: form['grant_type'] });
    const client = await this.redis.hgetall(clientKey(this.prefix, form['client_id'] as string));
    if (!sameSha(form['client_secret'] as string, client['clientSecretSha256']))
      throw new FeedError('LWA_INVALID_CLIENT');
    const key = await this.keys.find(client['accessKeyId'] ?? '');
    if (!key || key.revokedAt || !sameSha(form['refresh_token'] as string, client['refreshTokenSha256']))
      throw new FeedError('LWA_INVALID_GRANT');
    const accessToken = `Atza|${randomBytes(48).toString('base64url')}`;
    await this.redis.set(tokenKey(this.prefix, secretSha256(accessToken)), key.accessKeyId, 'EX', ACCESS_TOKEN_SECONDS);
    return { accessToken, refreshToken: form['refresh_token'] as string };
  }

  /** The access key behind an `x-amz-access-token`; Unauthorized when missing, unknown, expired or revoked. */
  async authorize(token: string | undefined): Promise<AccessKey> {
    if (!token) throw new FeedError('SPAPI_TOKEN_MISSING');
    const accessKeyId = await this.redis.get(tokenKey(this.prefix, secretSha256(token)));
    const key = accessKeyId === null ? null : await this.keys.find(accessKeyId);
    if (!key || key.revokedAt) throw new FeedError('SPAPI_TOKEN_INVALID');
    return key;
  }
}
