/**
 * The Feeds API operations, scoped to one merchant, behind both HTTP doors (MWS-compatible and JSON): submit
 * (through the drop folder's claim path), list with filters and paging, count, cancel (only feeds not yet
 * started) and the processing report with its MD5. A feed of another merchant is "not found", never "forbidden".
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import { feedTypeByName } from '../core/feed-types.js';
import { FeedError } from '../core/errors.js';
import type { DropFolder } from '../ingest/drop-folder.js';
import type { DropWatcher } from '../ingest/drop-watcher.js';
import { receiveUpload } from '../ingest/upload.js';
import {
  loadFeed,
  loadMarketplaceIds,
  loadReport,
  loadReportHead,
  moveFeedStatus,
  type FeedRecord,
  type FeedStatus,
} from '../queue/feed-store.js';
import { merchantFeedIndexKey } from '../queue/names.js';
import type { PipelineDeps } from '../queue/pipeline-deps.js';
import { nativeReportFormat, renderReport, ReportBuilder, REPORT_CONTENT_TYPES } from '../report/index.js';
import { keepOpen } from './refused-body.js';

export interface FeedFilters {
  /** Explicit ids override every other filter (as in MWS). */
  ids?: string[] | undefined;
  feedTypes?: string[] | undefined;
  statuses?: FeedStatus[] | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /**
   * Among `_DONE_` feeds, only those whose report rejected the whole feed (true) or did not (false): SP-API's
   * FATAL and DONE, which share the record status.
   */
  rejected?: boolean | undefined;
  /** Only feeds created (at SP-API createFeed) for at least one of these marketplaces. */
  marketplaceIds?: string[] | undefined;
}

export interface FeedPage {
  feeds: FeedRecord[];
  nextToken: string | null;
}

export interface FeedResult {
  feedSubmissionId: string;
  /** Content-Type, Content-MD5 and Content-Length of the report, as both doors answer them. */
  headers: Record<'content-type' | 'content-md5' | 'content-length', string>;
  /** The report body, rendered afresh on each call so that it is never held whole in memory. */
  stream(): Readable;
}

const DAY_MS = 24 * 3600 * 1000;
/** MWS lists the last 90 days unless told otherwise; CancelFeedSubmissions looks back 180. */
export const LIST_DAYS = 90;
export const CANCEL_DAYS = 180;
const SCAN = 200;

interface TokenState {
  m: string;
  f: {
    ids?: string[];
    feedTypes?: string[];
    statuses?: string[];
    from?: string;
    to?: string;
    rejected?: boolean;
    marketplaceIds?: string[];
  };
  n: number;
  before: number;
}

export class FeedService {
  constructor(
    private readonly deps: PipelineDeps,
    private readonly folder: DropFolder,
    private readonly watcher: DropWatcher,
    /** Signs NextTokens (derived from the server key), so a client can neither forge nor alter one. */
    private readonly tokenSecret: Buffer,
  ) {}

  /** `declaredBytes`: the request's Content-Length, so that too large a body is refused before it is read. */
  async submit(
    merchantId: string,
    feedTypeName: string,
    body: Readable,
    contentMd5: string | null,
    declaredBytes = 0,
  ): Promise<FeedRecord> {
    const feedType = feedTypeByName(feedTypeName);
    if (!feedType) throw new FeedError('HTTP_FEED_TYPE_INVALID', { feedType: feedTypeName });
    if (declaredBytes > this.deps.config.maxFeedBytes)
      throw new FeedError('HTTP_BODY_TOO_LARGE', { limit: this.deps.config.maxFeedBytes });
    // Past the limit nothing more is stored; the request stays open so that its refusal can be read.
    const upload = { merchantId, feedType, body: keepOpen(body), contentMd5, maxBytes: this.deps.config.maxFeedBytes };
    const { record, file } = await receiveUpload(this.deps, this.folder, upload);
    this.watcher.adopt(file);
    return record;
  }

  /** The merchant's feed, or HTTP_FEED_NOT_FOUND (also for another merchant's). */
  async get(merchantId: string, feedId: string): Promise<FeedRecord> {
    const record = /^\d{1,20}$/.test(feedId) ? await loadFeed(this.deps.redis, this.deps.config.prefix, feedId) : null;
    if (!record || record.merchantId !== merchantId)
      throw new FeedError('HTTP_FEED_NOT_FOUND', { feedSubmissionId: feedId });
    return record;
  }

  async list(merchantId: string, filters: FeedFilters, maxCount: number): Promise<FeedPage> {
    return this.page({
      m: merchantId,
      f: tokenFilters(filters, LIST_DAYS),
      n: maxCount,
      before: Number.POSITIVE_INFINITY,
    });
  }

  async next(merchantId: string, token: string): Promise<FeedPage> {
    const state = decodeToken(this.tokenSecret, token);
    if (!state || state.m !== merchantId) throw new FeedError('HTTP_NEXT_TOKEN_INVALID');
    return this.page(state);
  }

  async count(merchantId: string, filters: FeedFilters): Promise<number> {
    return (
      await this.matching(
        merchantId,
        tokenFilters(filters, LIST_DAYS),
        Number.POSITIVE_INFINITY,
        Number.POSITIVE_INFINITY,
      )
    ).length;
  }

  /** Cancels every matching feed not yet started; returns all matching feeds with their status afterwards. */
  async cancel(merchantId: string, filters: FeedFilters): Promise<FeedRecord[]> {
    const found = await this.matching(
      merchantId,
      tokenFilters(filters, CANCEL_DAYS),
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY,
    );
    const after: FeedRecord[] = [];
    for (const record of found) after.push(record.status === '_SUBMITTED_' ? await this.cancelOne(record) : record);
    return after;
  }

  /** Cancels one feed; HTTP_NOT_CANCELABLE when it has begun processing. */
  async cancelFeed(merchantId: string, feedId: string): Promise<FeedRecord> {
    const record = await this.get(merchantId, feedId);
    const after = await this.cancelOne(record);
    if (after.status !== '_CANCELLED_')
      throw new FeedError('HTTP_NOT_CANCELABLE', { feedSubmissionId: feedId, status: after.status });
    return after;
  }

  async result(merchantId: string, feedId: string): Promise<FeedResult> {
    const record = await this.get(merchantId, feedId);
    if (record.status === '_CANCELLED_') throw new FeedError('HTTP_FEED_CANCELED', { feedSubmissionId: feedId });
    const report =
      record.status === '_DONE_' ? await loadReport(this.deps.redis, this.deps.config.prefix, feedId) : null;
    if (!report) throw new FeedError('HTTP_RESULT_NOT_READY', { feedSubmissionId: feedId });
    const format = nativeReportFormat(report);
    const pieces = (): Iterable<string> => renderReport(report, format, record.fileName);
    const md5 = createHash('md5');
    let length = 0;
    for (const piece of pieces()) {
      const bytes = Buffer.from(piece, 'utf8');
      md5.update(bytes);
      length += bytes.length;
    }
    const contentType = REPORT_CONTENT_TYPES[format];
    const headers = {
      'content-type': contentType,
      'content-md5': md5.digest('base64'),
      'content-length': String(length),
    };
    return { feedSubmissionId: feedId, headers, stream: () => Readable.from(pieces(), { objectMode: false }) };
  }

  private async cancelOne(record: FeedRecord): Promise<FeedRecord> {
    const at = this.deps.now();
    const builder = new ReportBuilder();
    builder.addFileResult({
      code: 'FEED_CANCELLED',
      context: { feedSubmissionId: record.feedSubmissionId, merchantId: record.merchantId },
    });
    const format = (record.feedType && feedTypeByName(record.feedType)?.format) || 'xml';
    const report = builder.complete({
      feedSubmissionId: record.feedSubmissionId,
      feedType: record.feedType,
      format,
      encoding: null,
      merchantId: record.merchantId,
    });
    const move = {
      from: '_SUBMITTED_' as const,
      to: '_CANCELLED_' as const,
      fields: { completedProcessingDate: at },
      report,
    };
    await moveFeedStatus(this.deps.redis, this.deps.config.prefix, record, move);
    return (await loadFeed(this.deps.redis, this.deps.config.prefix, record.feedSubmissionId)) ?? record;
  }

  private async page(state: TokenState): Promise<FeedPage> {
    const found = await this.matching(state.m, state.f, state.n + 1, state.before);
    const feeds = found.slice(0, state.n);
    const last = feeds[feeds.length - 1];
    const more = found.length > state.n && last !== undefined;
    return {
      feeds,
      nextToken: more ? encodeToken(this.tokenSecret, { ...state, before: Number(last.feedSubmissionId) }) : null,
    };
  }

  /** Up to `limit` of the merchant's feeds matching, newest first, with ids below `before`. */
  private async matching(merchantId: string, f: TokenState['f'], limit: number, before: number): Promise<FeedRecord[]> {
    const { redis, config } = this.deps;
    const found: FeedRecord[] = [];
    if (f.ids) {
      for (const id of f.ids) {
        const record = /^\d{1,20}$/.test(id) && Number(id) < before ? await loadFeed(redis, config.prefix, id) : null;
        if (record && record.merchantId === merchantId && found.length < limit) found.push(record);
      }
      return found;
    }
    const index = merchantFeedIndexKey(config.prefix, merchantId);
    let max = before === Number.POSITIVE_INFINITY ? '+inf' : `(${before}`;
    while (found.length < limit) {
      const ids = await redis.zrevrangebyscore(index, max, '-inf', 'LIMIT', 0, SCAN);
      const records = await Promise.all(ids.map((id) => loadFeed(redis, config.prefix, id)));
      // Every filter applies here, before the page is cut: a page is full whenever more feeds match.
      const kept = await Promise.all(records.map((r) => (r && matches(r, f) ? this.matchesStored(r, f) : false)));
      for (const [i, record] of records.entries()) if (record && kept[i] && found.length < limit) found.push(record);
      if (ids.length < SCAN) break;
      max = `(${ids[ids.length - 1]}`;
    }
    return found;
  }

  /** The filters that read more than the record: the report's verdict, the marketplaces given at createFeed. */
  private async matchesStored(record: FeedRecord, f: TokenState['f']): Promise<boolean> {
    const { redis, config } = this.deps;
    if (f.rejected !== undefined && record.status === '_DONE_') {
      const head = await loadReportHead(redis, config.prefix, record.feedSubmissionId);
      if ((head?.statusCode === 'Rejected') !== f.rejected) return false;
    }
    if (!f.marketplaceIds) return true;
    const marketplaces = await loadMarketplaceIds(redis, config.prefix, record.feedSubmissionId);
    return marketplaces.some((m) => f.marketplaceIds?.includes(m));
  }
}

function tokenFilters(filters: FeedFilters, days: number): TokenState['f'] {
  if (filters.ids && filters.ids.length > 0) return { ids: filters.ids };
  const from = filters.from ?? new Date(Date.now() - days * DAY_MS);
  return {
    ...(filters.feedTypes?.length ? { feedTypes: filters.feedTypes } : {}),
    ...(filters.statuses?.length ? { statuses: filters.statuses } : {}),
    from: from.toISOString(),
    ...(filters.to ? { to: filters.to.toISOString() } : {}),
    ...(filters.rejected !== undefined ? { rejected: filters.rejected } : {}),
    ...(filters.marketplaceIds?.length ? { marketplaceIds: filters.marketplaceIds } : {}),
  };
}

function matches(record: FeedRecord, f: TokenState['f']): boolean {
  if (f.feedTypes && !f.feedTypes.includes(record.feedType ?? '')) return false;
  if (f.statuses && !f.statuses.includes(record.status)) return false;
  if (f.from && record.submittedDate < f.from) return false;
  if (f.to && record.submittedDate > f.to) return false;
  return true;
}

/**
 * NextToken: the query and where the last page ended, then an HMAC-SHA256 of that under the server's token key.
 * Only the server writes one, so its page size and date window are the ones the server checked when the list
 * began; a forged or altered token fails the HMAC and is refused as invalid (400), never read.
 */
function encodeToken(secret: Buffer, state: TokenState): string {
  const body = Buffer.from(JSON.stringify(state)).toString('base64url');
  return `${body}.${tokenMac(secret, body)}`;
}

function tokenMac(secret: Buffer, body: string): string {
  return createHmac('sha256', secret).update(`feedproc next-token\0${body}`).digest('base64url');
}

function decodeToken(secret: Buffer, token: string): TokenState | null {
  const [body, mac, extra] = token.split('.');
  if (!body || !mac || extra !== undefined) return null;
  const expected = Buffer.from(tokenMac(secret, body));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const state = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenState;
    return typeof state.m === 'string' &&
      Number.isInteger(state.n) &&
      state.n >= 1 &&
      state.n <= 100 &&
      typeof state.before === 'number' &&
      typeof state.f === 'object' &&
      state.f !== null
      ? state
      : null;
  } catch {
    return null;
  }
}
