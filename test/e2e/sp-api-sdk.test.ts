/**
 * The SP-API door driven by an unmodified SP-API client from npm (the generated FeedsApi of
 * @sp-api-sdk/feeds-api-2021-06-30, with an axios instance carrying the LWA access token) against a real
 * `feedproc serve` over a real socket: order feeds changing the ledger as the MWS door would, a JSON listings
 * feed, a retired listings type, foreign ids, bad tokens and throttling.
 */
import { runCli, REPO_ROOT } from '../helpers/cli.js';
import { amazonReportSchema, availability, listingsFeed, update, type ListingsReport } from '../helpers/listings.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import {
  feedsApi,
  feedsApiWithToken,
  HttpFailure,
  lwaToken,
  resultText,
  sendFeed,
  waitEnded,
  type LwaKey,
} from '../helpers/sp-api.js';
import { readFileSync } from 'node:fs';
import { sleep } from '../helpers/wait.js';

const MERCHANT = 'A1KW3PLX9Q7ZT2';
const OTHER = 'A2OTHERSELLER9';
const FLAT_HEADER =
  'order-id\torder-item-id\tadjustment-reason-code\tcurrency\titem-price-adj\titem-tax-adj\tshipping-price-adj\tshipping-tax-adj\tgift-wrap-price-adj\tgift-wrap-tax-adj\tquantity-cancelled';

let serve: ServeProcess;
let key: LwaKey;

async function cli(args: string[]): Promise<Record<string, unknown>> {
  const run = await runCli([...args, '--format', 'json'], { env: { ...serve.env, FEEDPROC_MERCHANT: MERCHANT } });
  expect([run.code, run.stderr]).toEqual([0, '']);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

async function status(promise: Promise<unknown>): Promise<{ status: number; body: unknown; headers: unknown }> {
  try {
    await promise;
    return { status: 200, body: null, headers: {} };
  } catch (err) {
    if (!(err instanceof HttpFailure) || !err.response) throw err;
    return { status: err.response.status, body: err.response.data, headers: err.response.headers };
  }
}

beforeAll(async () => {
  serve = await startServe({ FEEDPROC_THROTTLE_SCALE: '0.01', FEEDPROC_SPAPI_GZIP_BYTES: '400' });
  key = (await serve.createKey(MERCHANT)) as unknown as LwaKey;
  await serve.importOrders(MERCHANT, `${REPO_ROOT}samples/order-report.txt`);
}, 90_000);
afterAll(() => serve.stop());

describe('the SP-API Feeds door with the generated client', () => {
  it('exchanges the refresh token for an access token, and refuses wrong credentials in LWA shape', async () => {
    const answer = await lwaToken(serve.base, key);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({
      access_token: expect.stringMatching(/^Atza\|/),
      refresh_token: key.refreshToken,
      token_type: 'bearer',
      expires_in: 3600,
    });
    const wrongGrant = await lwaToken(serve.base, { ...key, refreshToken: 'Atzr|forged' });
    expect([wrongGrant.status, ((await wrongGrant.json()) as { error: string }).error]).toEqual([400, 'invalid_grant']);
    const wrongClient = await lwaToken(serve.base, { ...key, lwaClientSecret: 'nope' });
    expect([wrongClient.status, ((await wrongClient.json()) as { error: string }).error]).toEqual([
      401,
      'invalid_client',
    ]);
  });

  it('applies a flat QuantityCancelled + NoInventory adjustment and an XML acknowledgement cancel to the ledger', async () => {
    const { api } = await feedsApi(serve.base, key);
    const flat = `${FLAT_HEADER}\n407-5531702-1189363\t50317534426610\tNoInventory\tPLN\t49.99\t9.35\t\t\t\t\t1\n`;
    const adjustment = await sendFeed(
      api,
      'POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA',
      'text/tab-separated-values; charset=UTF-8',
      flat,
    );
    const done = await waitEnded(api, adjustment.feedId);
    expect(done).toMatchObject({
      feedType: 'POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA',
      processingStatus: 'DONE',
      marketplaceIds: ['A1C3SOZRARQ6R3'],
    });
    const report = await resultText(api, done.resultFeedDocumentId as string);
    expect(report.text).toContain('Number of records processed\t\t1');
    expect(report.text).toContain('Number of records successful\t\t1');

    const xml = readFileSync(`${REPO_ROOT}samples/xml-order-acknowledgement-valid.xml`);
    const ack = await sendFeed(api, 'POST_ORDER_ACKNOWLEDGEMENT_DATA', 'text/xml; charset=UTF-8', xml);
    const ackDone = await waitEnded(api, ack.feedId);
    expect(ackDone.processingStatus).toBe('DONE');
    const ackReport = await resultText(api, ackDone.resultFeedDocumentId as string);
    expect(ackReport.gzip).toBe(true); // larger than FEEDPROC_SPAPI_GZIP_BYTES
    expect(ackReport.text).toContain(`<DocumentTransactionID>${ack.feedId}</DocumentTransactionID>`);

    const cancelled = await cli(['order', '407-5531702-1189363']);
    expect(cancelled['items']).toEqual([
      expect.objectContaining({
        amazonOrderItemCode: '50317534426610',
        quantityOrdered: 4,
        quantityCancelled: 1,
        refunded: { Principal: '49.99', Tax: '9.35' },
      }),
    ]);
    const acknowledged = await cli(['order', '405-9046611-4417320']);
    expect(acknowledged['items']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ amazonOrderItemCode: '50317512208834', quantityOrdered: 1, quantityCancelled: 1 }),
      ]),
    );

    // The same feed records as the other doors: the CLI's feed list shows them.
    const feeds = await runCli(['feeds', '--format', 'json'], { env: serve.env });
    expect(feeds.stdout).toContain(adjustment.feedId);
    expect(feeds.stdout).toContain(ack.feedId);
  }, 120_000);

  it('sets a quantity with JSON_LISTINGS_FEED; its result document is Amazon listings processing report', async () => {
    const { api } = await feedsApi(serve.base, key);
    const body = listingsFeed(MERCHANT, [update(1, 'SPAPI-LAMP', { fulfillment_availability: availability(11) })]);
    const sent = await sendFeed(api, 'JSON_LISTINGS_FEED', 'application/json; charset=UTF-8', body);
    const done = await waitEnded(api, sent.feedId);
    expect(done.processingStatus).toBe('DONE');
    const report = JSON.parse((await resultText(api, done.resultFeedDocumentId as string)).text) as ListingsReport;
    const schema = amazonReportSchema();
    expect([schema(report), schema.errors ?? null]).toEqual([true, null]);
    expect(report.summary).toEqual({
      errors: 0,
      warnings: 0,
      messagesProcessed: 1,
      messagesAccepted: 1,
      messagesInvalid: 0,
    });
    expect(await cli(['inventory', 'SPAPI-LAMP'])).toMatchObject({ quantity: 11 });
  }, 120_000);

  it('answers FATAL for a retired listings type, with a result document saying to send JSON_LISTINGS_FEED', async () => {
    const { api } = await feedsApi(serve.base, key);
    const xml = readFileSync(`${REPO_ROOT}samples/xml-inventory-valid.xml`);
    const sent = await sendFeed(api, 'POST_INVENTORY_AVAILABILITY_DATA', 'text/xml', xml);
    const ended = await waitEnded(api, sent.feedId);
    expect(ended.processingStatus).toBe('FATAL');
    const report = await resultText(api, ended.resultFeedDocumentId as string);
    expect(report.text).toContain('97210');
    expect(report.text).toContain('JSON_LISTINGS_FEED instead');
    const listed = await api.getFeeds({
      feedTypes: ['POST_INVENTORY_AVAILABILITY_DATA'],
      processingStatuses: ['FATAL'],
    });
    expect(listed.data.feeds.map((f) => f.feedId)).toEqual([sent.feedId]);
  }, 60_000);

  it('keeps each merchant to its own feeds and documents, and refuses bad tokens with 403 Unauthorized', async () => {
    const { api } = await feedsApi(serve.base, key);
    const mine = (await api.getFeeds({ feedTypes: ['JSON_LISTINGS_FEED'] })).data.feeds[0];
    const other = (await serve.createKey(OTHER)) as unknown as LwaKey;
    const { api: theirs } = await feedsApi(serve.base, other);
    const foreign = await status(theirs.getFeed({ feedId: mine?.feedId as string }));
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ errors: [expect.objectContaining({ code: 'NotFound' })] });
    const foreignDoc = await status(theirs.getFeedDocument({ feedDocumentId: mine?.resultFeedDocumentId as string }));
    expect(foreignDoc.status).toBe(404);

    const forged = feedsApiWithToken(serve.base, 'Atza|forged').api;
    const denied = await status(forged.getFeeds({ feedTypes: ['JSON_LISTINGS_FEED'] }));
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({
      errors: [expect.objectContaining({ code: 'Unauthorized', message: expect.any(String) })],
    });
  }, 60_000);

  it('revokes the refresh token and every access token with the access key', async () => {
    const doomed = (await serve.createKey('A5REVOKED1SELLER')) as unknown as LwaKey & { accessKeyId: string };
    const { api } = await feedsApi(serve.base, doomed);
    expect((await api.getFeeds({ feedTypes: ['JSON_LISTINGS_FEED'] })).data.feeds).toEqual([]);
    await serve.revokeKey(doomed.accessKeyId);
    const denied = await status(api.getFeeds({ feedTypes: ['JSON_LISTINGS_FEED'] }));
    expect([denied.status, denied.body]).toEqual([
      403,
      { errors: [expect.objectContaining({ code: 'Unauthorized' })] },
    ]);
    const refresh = await lwaToken(serve.base, doomed);
    expect([refresh.status, ((await refresh.json()) as { error: string }).error]).toEqual([400, 'invalid_grant']);
  }, 60_000);

  it('throttles getFeeds with 429 QuotaExceeded and x-amzn-RateLimit-Limit, then recovers', async () => {
    const { api } = await feedsApi(serve.base, key);
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => status(api.getFeeds({ feedTypes: ['JSON_LISTINGS_FEED'] }))),
    );
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.body).toEqual({ errors: [expect.objectContaining({ code: 'QuotaExceeded' })] });
    expect((refused[0]?.headers as Record<string, string>)['x-amzn-ratelimit-limit']).toMatch(/^\d/);
    let recovered = 429;
    const deadline = Date.now() + 30_000;
    while (recovered === 429 && Date.now() < deadline) {
      await sleep(200);
      recovered = (await status(api.getFeeds({ feedTypes: ['JSON_LISTINGS_FEED'] }))).status;
    }
    expect(recovered).toBe(200);
  }, 60_000);
});

describe('cancelFeed', () => {
  let slow: ServeProcess;
  beforeAll(async () => {
    // The merchant's lane waits one stability window before its first file: the feed stays IN_QUEUE meanwhile.
    slow = await startServe({ FEEDPROC_WATCH_STABLE_MS: '20000', FEEDPROC_THROTTLE_SCALE: '0.01' });
  }, 60_000);
  afterAll(() => slow.stop());

  it('cancels an IN_QUEUE feed, and refuses to cancel one that has ended', async () => {
    const own = (await slow.createKey(MERCHANT)) as unknown as LwaKey;
    const { api } = await feedsApi(slow.base, own);
    const body = listingsFeed(MERCHANT, [update(1, 'KEEP', { fulfillment_availability: availability(1) })]);
    const sent = await sendFeed(api, 'JSON_LISTINGS_FEED', 'application/json', body);
    expect((await api.getFeed({ feedId: sent.feedId })).data.processingStatus).toBe('IN_QUEUE');
    expect((await api.cancelFeed({ feedId: sent.feedId })).status).toBe(200);
    expect((await api.getFeed({ feedId: sent.feedId })).data.processingStatus).toBe('CANCELLED');
    const again = await status(api.cancelFeed({ feedId: sent.feedId }));
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ errors: [expect.objectContaining({ code: 'InvalidInput' })] });
  }, 60_000);
});
