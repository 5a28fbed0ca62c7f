/**
 * FEED_PROCESSING_FINISHED destinations of a merchant: an https/http URL and a secret that signs every
 * notification (HMAC-SHA256 of the body). The secret is shown once; at rest it is sealed with the server key,
 * because signing needs the secret itself.
 */
import { randomBytes } from 'node:crypto';
import { FeedError } from '../core/errors.js';
import type { RedisClient } from '../core/redis-client.js';
import { seal, unseal } from '../core/secret-box.js';
import { destinationsKey } from '../queue/names.js';

export interface Destination {
  destinationId: string;
  url: string;
  createdAt: string;
}

export interface NewDestination extends Destination {
  /** Signs the notifications; shown only now. */
  secret: string;
}

interface Stored {
  url: string;
  secretSealed: string;
  createdAt: string;
}

export class DestinationStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly serverKey: Buffer,
  ) {}

  async add(merchantId: string, url: string): Promise<NewDestination> {
    if (!isHttpUrl(url)) throw new FeedError('DESTINATION_URL_INVALID', { url: JSON.stringify(url) });
    const destinationId = `dest-${randomBytes(8).toString('hex')}`;
    const secret = randomBytes(32).toString('base64url');
    const stored: Stored = {
      url,
      secretSealed: seal(this.serverKey, secret, destinationId),
      createdAt: new Date().toISOString(),
    };
    await this.redis.hset(destinationsKey(this.prefix, merchantId), destinationId, JSON.stringify(stored));
    return { destinationId, url, createdAt: stored.createdAt, secret };
  }

  async list(merchantId: string): Promise<Destination[]> {
    const all = await this.redis.hgetall(destinationsKey(this.prefix, merchantId));
    return Object.entries(all)
      .map(([destinationId, raw]) => {
        const stored = JSON.parse(raw) as Stored;
        return { destinationId, url: stored.url, createdAt: stored.createdAt };
      })
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Each destination with its secret, for the deliverer. */
  async withSecrets(merchantId: string): Promise<Array<Destination & { secret: string }>> {
    const all = await this.redis.hgetall(destinationsKey(this.prefix, merchantId));
    return Object.entries(all).flatMap(([destinationId, raw]) => {
      const stored = JSON.parse(raw) as Stored;
      const secret = unseal(this.serverKey, stored.secretSealed, destinationId);
      return secret === null ? [] : [{ destinationId, url: stored.url, createdAt: stored.createdAt, secret }];
    });
  }

  /** False when the merchant has no such destination: each door says "not found" in its own way. */
  async remove(merchantId: string, destinationId: string): Promise<boolean> {
    return (await this.redis.hdel(destinationsKey(this.prefix, merchantId), destinationId)) === 1;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && value.length <= 2000;
  } catch {
    return false;
  }
}
