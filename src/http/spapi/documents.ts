/**
 * Feed documents of the SP-API door. createFeedDocument records a document and answers a URL of feedproc's
 * own, signed (HMAC-SHA256 under a key derived from the server key) and expiring, that takes the content with a
 * plain PUT — as Amazon's presigned S3 URLs do. The content is streamed to disk with the same size limit as the
 * other doors and never held in memory. A document feeds one feed only.
 *
 *   <prefix>:{m:<M>}:sp-doc:<documentId>   hash   contentType, createdAt, bytes, uploadedAt, usedBy (feed id)
 * Content: <feedsDir>/.sp-api-documents/<M>/<documentId>, removed once its feed has taken it.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Config } from '../../core/config.js';
import { FeedError } from '../../core/errors.js';
import type { RedisClient } from '../../core/redis-client.js';
import { spDocumentKey } from '../keys.js';
import { keepOpen } from '../refused-body.js';

export interface FeedDocument {
  documentId: string;
  contentType: string;
  bytes: number | null;
  usedBy: string | null;
}

const DOCUMENT_ID = /^amzn1\.tortuga\.feedproc\.doc\.[0-9a-f-]{36}$/;
/** Documents nobody turned into a feed are forgotten after a week. */
const RECORD_SECONDS = 7 * 24 * 3600;

const docKey = spDocumentKey;

/** Counts the bytes going past and fails with HTTP_BODY_TOO_LARGE past the limit. */
function limit(maxBytes: number): Transform & { bytes: number } {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      counter.bytes += chunk.length;
      if (counter.bytes > maxBytes) return done(new FeedError('HTTP_BODY_TOO_LARGE', { limit: maxBytes }));
      done(null, chunk);
    },
  }) as Transform & { bytes: number };
  counter.bytes = 0;
  return counter;
}

export class FeedDocumentStore {
  private readonly dir: string;

  constructor(
    private readonly redis: RedisClient,
    private readonly config: Config,
    /** Signs the document URLs; derived from the server key, never the key itself. */
    private readonly urlKey: Buffer,
  ) {
    this.dir = resolve(config.feedsDir, '.sp-api-documents');
  }

  async create(merchantId: string, contentType: string): Promise<string> {
    const documentId = `amzn1.tortuga.feedproc.doc.${randomUUID()}`;
    const key = docKey(this.config.prefix, merchantId, documentId);
    await this.redis
      .multi()
      .hset(key, { contentType, createdAt: new Date().toISOString() })
      .expire(key, RECORD_SECONDS)
      .exec();
    return documentId;
  }

  /** The merchant's document, or null (also for another merchant's). */
  async find(merchantId: string, documentId: string): Promise<FeedDocument | null> {
    if (!DOCUMENT_ID.test(documentId)) return null;
    const raw = await this.redis.hgetall(docKey(this.config.prefix, merchantId, documentId));
    if (!raw['contentType']) return null;
    return {
      documentId,
      contentType: raw['contentType'],
      bytes: raw['bytes'] ? Number(raw['bytes']) : null,
      usedBy: raw['usedBy'] || null,
    };
  }

  /** `path?merchant=…&expires=…&signature=…`: what the URL carries so that only this server could have made it. */
  signedQuery(method: 'PUT' | 'GET', merchantId: string, documentId: string): string {
    const expires = Math.floor(Date.now() / 1000) + this.config.spapiUrlSeconds;
    const signature = this.sign(method, merchantId, documentId, expires);
    return `merchant=${encodeURIComponent(merchantId)}&expires=${expires}&signature=${signature}`;
  }

  /** The URL's merchant when its signature is ours and it has not expired; SPAPI_DOCUMENT_URL_INVALID otherwise. */
  verify(method: 'PUT' | 'GET', documentId: string, query: Record<string, unknown>): string {
    const merchantId = String(query['merchant'] ?? '');
    const expires = Number(query['expires']);
    const given = Buffer.from(String(query['signature'] ?? ''), 'hex');
    const wanted = Buffer.from(this.sign(method, merchantId, documentId, expires), 'hex');
    if (!Number.isInteger(expires) || given.length !== wanted.length || !timingSafeEqual(given, wanted))
      throw new FeedError('SPAPI_DOCUMENT_URL_INVALID', { detail: 'its signature does not match' });
    if (expires * 1000 < Date.now()) throw new FeedError('SPAPI_DOCUMENT_URL_INVALID', { detail: 'it has expired' });
    return merchantId;
  }

  /** Streams a PUT body to the document's file (replacing an earlier upload while the document is unused). */
  async upload(merchantId: string, document: FeedDocument, body: Readable): Promise<number> {
    if (document.usedBy)
      throw new FeedError('SPAPI_DOCUMENT_REUSED', { feedDocumentId: document.documentId, feedId: document.usedBy });
    const folder = join(this.dir, merchantId);
    await mkdir(folder, { recursive: true });
    const temp = join(folder, `.${document.documentId}.${randomUUID()}.tmp`);
    try {
      const counter = limit(this.config.maxFeedBytes);
      // Past the limit nothing more is stored; the request stays open so that its refusal can be read.
      await pipeline(keepOpen(body), counter, createWriteStream(temp, { flags: 'wx' }));
      if (counter.bytes === 0) throw new FeedError('HTTP_BODY_EMPTY');
      await rename(temp, this.contentPath(merchantId, document.documentId));
      await this.redis.hset(docKey(this.config.prefix, merchantId, document.documentId), {
        bytes: counter.bytes,
        uploadedAt: new Date().toISOString(),
      });
      return counter.bytes;
    } finally {
      await rm(temp, { force: true });
    }
  }

  /** Marks the document as taken by a feed; false when another feed took it first (HSETNX decides). */
  async claim(merchantId: string, documentId: string, feedId: string): Promise<boolean> {
    return (await this.redis.hsetnx(docKey(this.config.prefix, merchantId, documentId), 'usedBy', feedId)) === 1;
  }

  async setUsedBy(merchantId: string, documentId: string, feedId: string): Promise<void> {
    await this.redis.hset(docKey(this.config.prefix, merchantId, documentId), 'usedBy', feedId);
  }

  contentPath(merchantId: string, documentId: string): string {
    return join(this.dir, merchantId, documentId);
  }

  /** The uploaded content's size, or null when there is none on disk. */
  async contentBytes(merchantId: string, documentId: string): Promise<number | null> {
    return stat(this.contentPath(merchantId, documentId)).then(
      (s) => s.size,
      () => null,
    );
  }

  async removeContent(merchantId: string, documentId: string): Promise<void> {
    await rm(this.contentPath(merchantId, documentId), { force: true });
  }

  private sign(method: string, merchantId: string, documentId: string, expires: number): string {
    return createHmac('sha256', this.urlKey)
      .update(`${method}\n${merchantId}\n${documentId}\n${expires}`)
      .digest('hex');
  }
}
