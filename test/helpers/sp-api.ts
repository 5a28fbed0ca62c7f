/** The SP-API door seen by a real client: LWA tokens over HTTP, and the generated FeedsApi of @sp-api-sdk. */
import axios, { isAxiosError, type AxiosInstance } from 'axios';
import {
  FeedsApi,
  type Feed,
  type FeedsApiGetFeedsRequest,
  type GetFeedsResponse,
} from '@sp-api-sdk/feeds-api-2021-06-30';
import { sleep } from './wait.js';

export interface LwaKey {
  merchantId: string;
  lwaClientId: string;
  lwaClientSecret: string;
  refreshToken: string;
}

/** POST /auth/o2/token with a form body, as LWA takes it. */
export async function lwaToken(base: string, key: LwaKey): Promise<Response> {
  return fetch(`${base}/auth/o2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: key.refreshToken,
      client_id: key.lwaClientId,
      client_secret: key.lwaClientSecret,
    }).toString(),
  });
}

/**
 * An HTTP error answer as a plain Error: an AxiosError carries sockets and circular references that Jest cannot
 * write into its `--json` results, so one failing call would spoil the whole run's summary.
 */
export class HttpFailure extends Error {
  constructor(
    message: string,
    readonly response: { status: number; data: unknown; headers: Record<string, unknown> } | null,
  ) {
    super(message);
  }
}

function plainFailure(err: unknown): HttpFailure | unknown {
  if (!isAxiosError(err)) return err;
  const answer = err.response;
  const where = `${err.config?.method?.toUpperCase() ?? ''} ${err.config?.url ?? ''}`;
  if (!answer) return new HttpFailure(`${where}: ${err.message}`, null);
  const headers = { ...(answer.headers as Record<string, unknown>) };
  return new HttpFailure(`${where}: ${answer.status} ${JSON.stringify(answer.data)}`, {
    status: answer.status,
    data: answer.data,
    headers,
  });
}

/** The unmodified generated client for feedproc's base URL, sending `token` as x-amz-access-token (null: none). */
export function feedsApiWithToken(base: string, token: string | null): { api: FeedsApi; http: AxiosInstance } {
  const http = axios.create(token === null ? {} : { headers: { 'x-amz-access-token': token } });
  http.interceptors.response.use(undefined, (err: unknown) => Promise.reject(plainFailure(err)));
  return { api: new FeedsApi(undefined, base, http), http };
}

/** The generated client with a token obtained from LWA for `key`. */
export async function feedsApi(base: string, key: LwaKey): Promise<{ api: FeedsApi; http: AxiosInstance }> {
  const answer = await lwaToken(base, key);
  const token = ((await answer.json()) as { access_token: string }).access_token;
  return feedsApiWithToken(base, token);
}

export interface FeedExtras {
  /** Default: Amazon.pl only. */
  marketplaceIds?: string[];
  feedOptions?: Record<string, string>;
}

/**
 * createFeedDocument, a plain PUT of the content to its URL, createFeed: the feed id, with both answers' statuses.
 */
export async function sendFeed(
  api: FeedsApi,
  feedType: string,
  contentType: string,
  body: string | Buffer,
  extras: FeedExtras = {},
) {
  const doc = await api.createFeedDocument({ body: { contentType } });
  const put = await fetch(doc.data.url, { method: 'PUT', headers: { 'content-type': contentType }, body });
  if (put.status !== 200) throw new Error(`PUT answered ${put.status}: ${await put.text()}`);
  const created = await api.createFeed({
    body: {
      feedType,
      marketplaceIds: extras.marketplaceIds ?? ['A1C3SOZRARQ6R3'],
      inputFeedDocumentId: doc.data.feedDocumentId,
      ...(extras.feedOptions ? { feedOptions: extras.feedOptions } : {}),
    },
  });
  return {
    feedId: created.data.feedId,
    feedDocumentId: doc.data.feedDocumentId,
    url: doc.data.url,
    statuses: { createFeedDocument: doc.status, createFeed: created.status },
  };
}

/**
 * getFeeds, then getFeeds with each nextToken until none is given: every page's feed ids, in order. A 429 is
 * waited out (getFeeds allows a burst of 10), as a client would.
 */
export async function feedPages(api: FeedsApi, query: FeedsApiGetFeedsRequest): Promise<string[][]> {
  const pages: string[][] = [];
  let next: FeedsApiGetFeedsRequest | null = query;
  while (next) {
    const answer: { data: GetFeedsResponse } | null = await api.getFeeds(next).catch(async (err: unknown) => {
      if (!(err instanceof HttpFailure) || err.response?.status !== 429) throw err;
      await sleep(500);
      return null;
    });
    if (!answer) continue;
    pages.push(answer.data.feeds.map((f) => f.feedId));
    next = answer.data.nextToken ? { nextToken: answer.data.nextToken } : null;
  }
  return pages;
}

/**
 * getFeed until the feed has ended (polling the status, as a client does): every 600 ms, within getFeed's default
 * rate of 2 per second, so a feed that takes a while (the drop folder's 2 s window) never runs into a 429.
 */
export async function waitEnded(api: FeedsApi, feedId: string, timeoutMs = 60_000): Promise<Feed> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const feed = (await api.getFeed({ feedId })).data;
    if (['DONE', 'FATAL', 'CANCELLED'].includes(feed.processingStatus)) return feed;
    if (Date.now() > deadline) throw new Error(`feed ${feedId} still ${feed.processingStatus}`);
    await sleep(600);
  }
}

/** getFeedDocument, then the document itself (gunzipped when the answer says GZIP). */
export async function resultText(api: FeedsApi, documentId: string): Promise<{ text: string; gzip: boolean }> {
  const doc = (await api.getFeedDocument({ feedDocumentId: documentId })).data;
  const answer = await fetch(doc.url);
  if (answer.status !== 200) throw new Error(`GET answered ${answer.status}`);
  const bytes = Buffer.from(await answer.arrayBuffer());
  const gzip = doc.compressionAlgorithm === 'GZIP';
  const { gunzipSync } = await import('node:zlib');
  return { text: (gzip ? gunzipSync(bytes) : bytes).toString('utf8'), gzip };
}
