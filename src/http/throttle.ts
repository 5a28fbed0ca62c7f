/**
 * Per-merchant throttling with the Feeds API quotas (docs/http.md#throttling), shared by the MWS endpoint and the
 * JSON API: the same merchant draws on the same buckets whichever door it uses.
 */
import { fileURLToPath } from 'node:url';
import { loadLuaScript } from '../core/lua-source.js';
import type { RedisClient } from '../core/redis-client.js';
import { throttleKey } from './keys.js';
import { FeedError } from '../core/errors.js';

export type FeedOperation =
  | 'SubmitFeed'
  | 'GetFeedSubmissionList'
  | 'GetFeedSubmissionListByNextToken'
  | 'GetFeedSubmissionCount'
  | 'CancelFeedSubmissions'
  | 'GetFeedSubmissionResult';

/** The routes beyond the Feeds API (JSON API and web pages), throttled the same way so that no route is free to hammer. */
export type OtherOperation = 'GetOrder' | 'CancelOrder' | 'GetMetrics' | 'ManageDestinations' | 'ViewPage';
export type ThrottledOperation = FeedOperation | OtherOperation;

interface Quota {
  max: number;
  restoreSeconds: number;
  hourly: number;
}

export const QUOTAS: Readonly<Record<FeedOperation, Quota>> = Object.freeze({
  SubmitFeed: { max: 15, restoreSeconds: 120, hourly: 30 },
  GetFeedSubmissionList: { max: 10, restoreSeconds: 45, hourly: 80 },
  GetFeedSubmissionListByNextToken: { max: 30, restoreSeconds: 2, hourly: 1800 },
  GetFeedSubmissionCount: { max: 10, restoreSeconds: 45, hourly: 80 },
  CancelFeedSubmissions: { max: 10, restoreSeconds: 45, hourly: 80 },
  GetFeedSubmissionResult: { max: 15, restoreSeconds: 60, hourly: 60 },
});

/** SP-API Feeds 2021-06-30 operations with the model's default usage plans (requests per second, burst). */
export type SpApiOperation =
  'createFeedDocument' | 'createFeed' | 'getFeed' | 'getFeeds' | 'cancelFeed' | 'getFeedDocument';

export const SP_API_RATES: Readonly<Record<SpApiOperation, { rate: number; burst: number }>> = Object.freeze({
  createFeedDocument: { rate: 0.5, burst: 15 },
  createFeed: { rate: 0.0083, burst: 15 },
  getFeed: { rate: 2, burst: 15 },
  getFeeds: { rate: 0.0222, burst: 10 },
  cancelFeed: { rate: 2, burst: 15 },
  getFeedDocument: { rate: 0.0222, burst: 10 },
});

/** SP-API has no hourly quota: the bucket alone decides. */
const NO_HOURLY_QUOTA = 1_000_000_000;

export interface SpApiThrottleOutcome {
  /** `x-amzn-RateLimit-Limit`: the rate applied, in requests per second (the model's, divided by the scale). */
  rateLimit: string;
  error: FeedError | null;
}
/**
 * feedproc's own quotas, in the spirit of SP-API's (getOrder: burst 20, 0.5/s): reading an order is cheap, a
 * cancellation changes the ledger, and the cancel rate reads every order of its window (up to 365 days).
 */
export const OTHER_QUOTAS: Readonly<Record<OtherOperation, Quota>> = Object.freeze({
  GetOrder: { max: 20, restoreSeconds: 2, hourly: 1800 },
  CancelOrder: { max: 20, restoreSeconds: 2, hourly: 1800 },
  GetMetrics: { max: 10, restoreSeconds: 30, hourly: 120 },
  ManageDestinations: { max: 10, restoreSeconds: 10, hourly: 360 },
  // A person clicking through the pages (and the dashboard polling) stays far below it; a script looping does not.
  ViewPage: { max: 60, restoreSeconds: 1, hourly: 3600 },
});

const quotaOf = (operation: ThrottledOperation): Quota =>
  Object.hasOwn(QUOTAS, operation) ? QUOTAS[operation as FeedOperation] : OTHER_QUOTAS[operation as OtherOperation];

/** What the x-mws-quota-* response headers say (they describe the hourly quota, as MWS's do). */
export type QuotaHeaders = {
  'x-mws-quota-max': string;
  'x-mws-quota-remaining': string;
  'x-mws-quota-resetsOn': string;
};

export interface ThrottleOutcome {
  headers: QuotaHeaders;
  /** Set when the request must be refused. */
  error: FeedError | null;
}

/** Beside this module: the build copies it to dist/http/lua (core/lua-source.ts). */
const SCRIPT = loadLuaScript(fileURLToPath(new URL('./lua/take-request-token-1.lua', import.meta.url)));
type ThrottleRedis = RedisClient & {
  takeRequestToken(
    key: string,
    max: number,
    restoreMs: number,
    hourly: number,
  ): Promise<[number, number, number, string]>;
};

export class Throttle {
  private readonly redis: ThrottleRedis;

  constructor(
    redis: RedisClient,
    private readonly prefix: string,
    /** Multiplies the restore intervals (config throttleScale). */
    private readonly scale: number,
  ) {
    if (!('takeRequestToken' in redis)) redis.defineCommand('takeRequestToken', { numberOfKeys: 1, lua: SCRIPT });
    this.redis = redis as ThrottleRedis;
  }

  /** One SP-API request of the merchant: a token from the operation's bucket, or SPAPI_THROTTLED (429). */
  async takeSpApi(merchantId: string, operation: SpApiOperation): Promise<SpApiThrottleOutcome> {
    const plan = SP_API_RATES[operation];
    const restoreMs = Math.max(1, Math.round((1000 / plan.rate) * this.scale));
    const key = throttleKey(this.prefix, merchantId, `sp-api:${operation}`);
    const [allowed] = await this.redis.takeRequestToken(key, plan.burst, restoreMs, NO_HOURLY_QUOTA);
    // The usage plan's rate divided by the scale, not one read back from the whole milliseconds the bucket restores
    // in (at small scales that rounding showed 2.222 for getFeeds' 0.0222 / 0.01); at most one token a millisecond.
    const rate = Number(Math.min(plan.rate / this.scale, 1000).toPrecision(4));
    const rateLimit = String(rate);
    if (allowed === 1) return { rateLimit, error: null };
    return { rateLimit, error: new FeedError('SPAPI_THROTTLED', { operation, burst: plan.burst, rate }) };
  }

  async take(merchantId: string, operation: ThrottledOperation): Promise<ThrottleOutcome> {
    const quota = quotaOf(operation);
    const restoreMs = Math.max(1, Math.round(quota.restoreSeconds * 1000 * this.scale));
    const key = throttleKey(this.prefix, merchantId, operation);
    const [allowed, remaining, resetsOn, refusal] = await this.redis.takeRequestToken(
      key,
      quota.max,
      restoreMs,
      quota.hourly,
    );
    const headers: QuotaHeaders = {
      'x-mws-quota-max': String(quota.hourly),
      'x-mws-quota-remaining': String(Math.max(0, remaining)),
      'x-mws-quota-resetsOn': new Date(resetsOn).toISOString(),
    };
    if (allowed === 1) return { headers, error: null };
    const context = { operation, max: quota.max, restoreSeconds: restoreMs / 1000, hourly: quota.hourly };
    return { headers, error: new FeedError(refusal === 'hour' ? 'HTTP_QUOTA_EXCEEDED' : 'HTTP_THROTTLED', context) };
  }
}
