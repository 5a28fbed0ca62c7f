/**
 * Sign-in sessions of the web pages and their CSRF tokens. A session is a random token in an HttpOnly,
 * SameSite=Strict cookie; Redis keeps only its SHA-256, so reading Redis does not give usable cookies:
 *
 *   <prefix>:{sessions}:session:<sha256 of token>   hash   accessKeyId, merchantId, createdAt (expires after SESSION_TTL_S)
 *
 * (the key is built in ../keys.ts).
 *
 * Every request re-reads the access key, so revoking a key ends its sessions at once. CSRF tokens are HMACs
 * (the server's session secret) of the session token: a form posted without the token of its own session is
 * refused. The sign-in form, which has no session yet, is tied the same way to a pre-session cookie.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RedisClient } from '../../core/redis-client.js';
import type { AccessKeyStore } from '../access-keys.js';
import { sessionKey } from '../keys.js';

export const SESSION_COOKIE = 'feedproc_session';
export const PRESESSION_COOKIE = 'feedproc_signin';
/** Eight hours since the last request. */
export const SESSION_TTL_S = 8 * 3600;

export interface Session {
  /** The cookie's token (never stored); CSRF tokens derive from it. */
  token: string;
  accessKeyId: string;
  merchantId: string;
}

const keyOf = (prefix: string, token: string): string =>
  sessionKey(prefix, createHash('sha256').update(token).digest('hex'));

export const newToken = (): string => randomBytes(32).toString('base64url');

export class SessionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly keys: AccessKeyStore,
  ) {}

  async create(accessKeyId: string, merchantId: string, now: Date = new Date()): Promise<Session> {
    const token = newToken();
    const key = keyOf(this.prefix, token);
    await this.redis
      .multi()
      .hset(key, { accessKeyId, merchantId, createdAt: now.toISOString() })
      .expire(key, SESSION_TTL_S)
      .exec();
    return { token, accessKeyId, merchantId };
  }

  /** The live session of this cookie token, or null (unknown, expired, or its key revoked — then it is removed). */
  async find(token: string | undefined): Promise<Session | null> {
    if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const key = keyOf(this.prefix, token);
    const fields = await this.redis.hgetall(key);
    const accessKeyId = fields['accessKeyId'];
    if (!accessKeyId) return null;
    const accessKey = await this.keys.find(accessKeyId);
    if (!accessKey || accessKey.revokedAt || accessKey.merchantId !== fields['merchantId']) {
      await this.redis.del(key);
      return null;
    }
    await this.redis.expire(key, SESSION_TTL_S);
    return { token, accessKeyId, merchantId: accessKey.merchantId };
  }

  async remove(token: string): Promise<void> {
    await this.redis.del(keyOf(this.prefix, token));
  }
}

/** The CSRF token of a session (or of the pre-session cookie on the sign-in form). */
export function csrfToken(secret: Buffer, purpose: 'session' | 'signin', token: string): string {
  return createHmac('sha256', secret).update(`csrf\0${purpose}\0${token}`).digest('base64url');
}

export function csrfValid(
  secret: Buffer,
  purpose: 'session' | 'signin',
  token: string | undefined,
  given: unknown,
): boolean {
  if (!token || typeof given !== 'string' || given.length === 0) return false;
  const expected = Buffer.from(csrfToken(secret, purpose, token));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
