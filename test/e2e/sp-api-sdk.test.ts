/**
 * The SP-API door driven by an unmodified SP-API client from npm (the generated FeedsApi of
 * @sp-api-sdk/feeds-api-2021-06-30, with an axios instance carrying the LWA access token) against a real
 * `feedproc serve` over a real socket: order feeds changing the ledger as the MWS door would (and listed by the MWS
 * door and the web pages), a JSON listings feed, feedOptions, FATAL feeds (retired or unknown type, missing or
 * foreign document), foreign ids, missing, forged and expired tokens, LWA's errors, getFeeds' filters and paging,
 * throttling at the model's rates, and a cancelled feed that is announced and never applied.
 */
import { runCli, REPO_ROOT } from '../helpers/cli.js';
import {
  amazonReportSchema,
  availability,
  listingsFeed,
  SP_API_FIXTURES,
  update,
  type ListingsReport,
} from '../helpers/listings.js';
import { MwsTestClient, type MwsKey } from '../helpers/mws-client.js';
import { addDestination, notificationSchema, Receiver, signatureOf } from '../helpers/receiver.js';
import { WebClient } from '../helpers/web-client.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import {
  feedPages,
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
import { Ajv } from 'ajv';
import { secretSha256 } from '../../src/http/access-keys.js';
import { lwaKeys } from '../../src/http/keys.js';
import { connectTestRedis } from '../helpers/redis.js';
import { sleep, waitUntil } from '../helpers/wait.js';

const MERCHANT = 'A1KW3PLX9Q7ZT2';
const PL = 'A1C3SOZRARQ6R3';
const OTHER = 'A2OTHERSELLER9';
const FLAT_HEADER =
  'order-id\torder-item-id\tadjustment-reason-code\tcurrency\titem-price-adj\titem-tax-adj\tshipping-price-adj\tshipping-tax-adj\tgift-wrap-price-adj\tgift-wrap-tax-adj\tquantity-cancelled';

/** The throttle scale of the first server: its rates are the model's divided by it. */
const SCALE = 0.01;

let serve: ServeProcess;
let key: LwaKey & MwsKey;

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

/** POST /auth/o2/token with exactly these form fields. */
async function tokenRequest(form: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const answer = await fetch(`${serve.base}/auth/o2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: answer.status, body: await answer.json() };
}

const MODEL = JSON.parse(readFileSync(`${SP_API_FIXTURES}feeds_2021-06-30.json`, 'utf8')) as {
  paths: Record<string, Record<string, { operationId?: string; description?: string }>>;
  definitions: { Feed: object };
};

/** The model's Feed, with no property beside those it defines. */
const modelFeed = new Ajv({ strict: false, validateFormats: false }).compile({
  ...MODEL.definitions.Feed,
  additionalProperties: false,
});

/** The default usage plan of an operation, read from the description in Amazon's model. */
function modelRate(operationId: string): number {
  const operation = Object.values(MODEL.paths)
    .flatMap((path) => Object.values(path))
    .find((op) => op.operationId === operationId);
  const plan = /\| ([\d.]+) \| (\d+) \|/.exec(operation?.description ?? '');
  if (!plan) throw new Error(`no usage plan for ${operationId} in the model`);
  return Number(plan[1]);
}

beforeAll(async () => {
  serve = await startServe({ FEEDPROC_THROTTLE_SCALE: String(SCALE), FEEDPROC_SPAPI_GZIP_BYTES: '400' });
  key = (await serve.createKey(MERCHANT)) as unknown as LwaKey & MwsKey;
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
    const form = {
      grant_type: 'refresh_token',
      refresh_token: key.refreshToken,
      client_id: key.lwaClientId,
      client_secret: key.lwaClientSecret,
    };
    const unsupported = await tokenRequest({ ...form, grant_type: 'client_credentials' });
    expect(unsupported).toEqual({
      status: 400,
      body: { error: 'unsupported_grant_type', error_description: expect.stringContaining('client_credentials') },
    });
    const { client_secret: _dropped, ...lacking } = form;
    expect(await tokenRequest(lacking)).toEqual({
      status: 400,
      body: { error: 'invalid_request', error_description: expect.stringContaining('client_secret') },
    });
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
    expect(adjustment.statuses).toEqual({ createFeedDocument: 201, createFeed: 202 });
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
    // The MWS door lists it under its MWS name, and the web pages show it.
    const mws = await new MwsTestClient(serve.port, key).info(adjustment.feedId);
    expect(mws).toMatchObject({ FeedType: '_POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA_', FeedProcessingStatus: '_DONE_' });
    const web = new WebClient(serve.base);
    expect((await web.signIn(key.accessKeyId, key.secretKey)).status).toBe(303);
    const row = new RegExp(
      `href="/web/feeds/${adjustment.feedId}">${adjustment.feedId}</a></td>\\s*<td class="mono">_POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA_<`,
    );
    expect((await web.get('/web/feeds')).text).toMatch(row);
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

  it('takes feedOptions (names to strings) and, as in the model, the Feed does not return them', async () => {
    const { api } = await feedsApi(serve.base, key);
    const body = listingsFeed(MERCHANT, [update(1, 'OPTIONS-LAMP', { fulfillment_availability: availability(4) })]);
    const feedOptions = { 'metadata:Note': 'a note for the feed' };
    const sent = await sendFeed(api, 'JSON_LISTINGS_FEED', 'application/json', body, { feedOptions });
    expect(sent.statuses.createFeed).toBe(202);
    const done = await waitEnded(api, sent.feedId);
    expect([done.processingStatus, modelFeed(done), modelFeed.errors ?? null]).toEqual(['DONE', true, null]);
    const notStrings = { feedOptions: { retries: 3 } as unknown as Record<string, string> };
    const refused = await status(
      api.createFeed({
        body: { feedType: 'JSON_LISTINGS_FEED', marketplaceIds: [PL], inputFeedDocumentId: 'x', ...notStrings },
      }),
    );
    expect([refused.status, refused.body]).toEqual([
      400,
      { errors: [expect.objectContaining({ code: 'InvalidInput', message: expect.stringContaining('feedOptions') })] },
    ]);
  }, 60_000);

  it("ends FATAL a feed of an unknown type, of a document that does not exist, of another seller's document", async () => {
    const { api } = await feedsApi(serve.base, key);
    const owner = 'A9DOCOWNER1SELLER';
    const { api: theirs } = await feedsApi(serve.base, (await serve.createKey(owner)) as unknown as LwaKey);
    const theirBody = listingsFeed(owner, [update(1, 'THEIRS-1', { fulfillment_availability: availability(6) })]);
    const theirDoc = (await theirs.createFeedDocument({ body: { contentType: 'application/json' } })).data;
    const put = await fetch(theirDoc.url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: theirBody,
    });
    expect(put.status).toBe(200);
    const myDoc = (await api.createFeedDocument({ body: { contentType: 'application/json' } })).data;
    const create = async (feedType: string, inputFeedDocumentId: string) => {
      const created = await api.createFeed({ body: { feedType, marketplaceIds: [PL], inputFeedDocumentId } });
      expect(created.status).toBe(202);
      const ended = await waitEnded(api, created.data.feedId);
      expect(ended.processingStatus).toBe('FATAL');
      return (await resultText(api, ended.resultFeedDocumentId as string)).text;
    };
    expect(await create('POST_NOTHING_DATA', myDoc.feedDocumentId)).toContain('97211');
    const missing = await create('JSON_LISTINGS_FEED', 'amzn1.tortuga.feedproc.doc.no-such-document');
    expect(missing).toContain('97212');
    expect(missing).toContain('does not exist');
    // Another seller's document is one that does not exist, in the same words: nothing says whose it is.
    const foreign = await create('JSON_LISTINGS_FEED', theirDoc.feedDocumentId);
    expect(foreign).toContain(`${theirDoc.feedDocumentId} does not exist`);
    expect(foreign).not.toContain(owner);
    // It was neither read nor used up: it still feeds its own seller's feed, and only that seller's ledger.
    const own = await theirs.createFeed({
      body: { feedType: 'JSON_LISTINGS_FEED', marketplaceIds: [PL], inputFeedDocumentId: theirDoc.feedDocumentId },
    });
    expect((await waitEnded(theirs, own.data.feedId)).processingStatus).toBe('DONE');
    const inventory = (merchant: string) =>
      runCli(['inventory', 'THEIRS-1', '--format', 'json'], { env: { ...serve.env, FEEDPROC_MERCHANT: merchant } });
    expect(JSON.parse((await inventory(owner)).stdout)).toMatchObject({ quantity: 6 });
    expect((await inventory(MERCHANT)).stderr).toContain('no inventory record for SKU THEIRS-1');
  }, 90_000);

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
    const none = await status(feedsApiWithToken(serve.base, null).api.getFeed({ feedId: mine?.feedId as string }));
    expect([none.status, none.body]).toEqual([
      403,
      {
        errors: [
          { code: 'Unauthorized', message: expect.stringContaining('x-amz-access-token'), details: expect.any(String) },
        ],
      },
    ]);

    // An access token lives 3600 s as a Redis key of that TTL; expired there, it is refused like an unknown one.
    const token = ((await (await lwaToken(serve.base, key)).json()) as { access_token: string }).access_token;
    const { api: expiring } = feedsApiWithToken(serve.base, token);
    expect((await expiring.getFeed({ feedId: mine?.feedId as string })).status).toBe(200);
    const record = lwaKeys(serve.prefix).token(secretSha256(token));
    const redis = connectTestRedis();
    try {
      expect(await redis.ttl(record)).toBeGreaterThan(3500);
      await redis.pexpire(record, 1);
      await waitUntil('the access token expired', async () => ((await redis.exists(record)) === 0 ? true : undefined));
    } finally {
      await redis.quit();
    }
    const expired = await status(expiring.getFeed({ feedId: mine?.feedId as string }));
    expect([expired.status, expired.body]).toEqual([
      403,
      { errors: [expect.objectContaining({ code: 'Unauthorized', message: expect.stringContaining('expired') })] },
    ]);
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
    // The header states the model's usage plan divided by the throttle scale of this server.
    const limit = Number((refused[0]?.headers as Record<string, string>)['x-amzn-ratelimit-limit']);
    expect(limit).toBeCloseTo(modelRate('getFeeds') / SCALE, 9);
    const notFound = await status(api.getFeed({ feedId: '1' })); // every answer carries it, a 404 too
    const getFeedLimit = Number((notFound.headers as Record<string, string>)['x-amzn-ratelimit-limit']);
    expect([notFound.status, getFeedLimit]).toEqual([404, expect.closeTo(modelRate('getFeed') / SCALE, 9)]);
    let recovered = 429;
    const deadline = Date.now() + 30_000;
    while (recovered === 429 && Date.now() < deadline) {
      await sleep(200);
      recovered = (await status(api.getFeeds({ feedTypes: ['JSON_LISTINGS_FEED'] }))).status;
    }
    expect(recovered).toBe(200);
  }, 60_000);
});

describe('getFeeds', () => {
  const DE = 'A1PA6795UKMFR9';
  const TYPES = ['JSON_LISTINGS_FEED', 'POST_INVENTORY_AVAILABILITY_DATA'];

  it('pages after filtering: full pages while more match, a nextToken only then, every feed once', async () => {
    const seller = 'A8PAGES1SELLER';
    const { api } = await feedsApi(serve.base, (await serve.createKey(seller)) as unknown as LwaKey);
    const xml = readFileSync(`${REPO_ROOT}samples/xml-inventory-valid.xml`);
    const done = (sku: string, marketplaceIds: string[]) =>
      sendFeed(api, 'JSON_LISTINGS_FEED', 'application/json', listingsFeed(seller, [update(1, sku, {})]), {
        marketplaceIds,
      });
    const fatal = (marketplaceIds: string[]) =>
      sendFeed(api, 'POST_INVENTORY_AVAILABILITY_DATA', 'text/xml', xml, { marketplaceIds });
    // Oldest first: DONE (DE), FATAL (PL), | DONE (DE), FATAL (PL), DONE (PL and DE); `between` is at the bar.
    const ids: string[] = [];
    for (const send of [() => done('PAGE-1', [DE]), () => fatal([PL])]) ids.push((await send()).feedId);
    await sleep(50);
    const between = new Date().toISOString();
    await sleep(50);
    for (const send of [() => done('PAGE-3', [DE]), () => fatal([PL]), () => done('PAGE-5', [PL, DE])])
      ids.push((await send()).feedId);
    for (const id of ids) await waitEnded(api, id);
    const [d1, f2, d3, f4, d5] = ids;

    expect(await feedPages(api, { feedTypes: TYPES, pageSize: 2 })).toEqual([[d5, f4], [d3, f2], [d1]]);
    expect(await feedPages(api, { feedTypes: TYPES, pageSize: 2, processingStatuses: ['FATAL'] })).toEqual([[f4, f2]]);
    expect(await feedPages(api, { feedTypes: TYPES, pageSize: 2, processingStatuses: ['DONE'] })).toEqual([
      [d5, d3],
      [d1],
    ]);
    expect(await feedPages(api, { feedTypes: TYPES, pageSize: 2, createdSince: between })).toEqual([[d5, f4], [d3]]);
    expect(await feedPages(api, { feedTypes: TYPES, pageSize: 2, createdUntil: between })).toEqual([[f2, d1]]);
    expect(await feedPages(api, { feedTypes: TYPES, pageSize: 2, marketplaceIds: [DE] })).toEqual([[d5, d3], [d1]]);
    expect(
      await feedPages(api, { feedTypes: TYPES, pageSize: 2, marketplaceIds: [PL], processingStatuses: ['FATAL'] }),
    ).toEqual([[f4, f2]]);
    // A status the model does not know is refused, not read as "no filter".
    let unknown: Awaited<ReturnType<typeof status>>;
    do {
      await sleep(500); // the pages above used getFeeds' burst
      unknown = await status(api.getFeeds({ feedTypes: TYPES, processingStatuses: ['ENDED' as 'DONE'] }));
    } while (unknown.status === 429);
    expect([unknown.status, unknown.body]).toEqual([
      400,
      { errors: [expect.objectContaining({ code: 'InvalidInput' })] },
    ]);
  }, 120_000);
});

describe('cancelFeed', () => {
  let slow: ServeProcess;
  const receiver = new Receiver();
  beforeAll(async () => {
    // The merchant's lane waits one stability window before its first file: the feed stays IN_QUEUE meanwhile.
    slow = await startServe({ FEEDPROC_WATCH_STABLE_MS: '20000', FEEDPROC_THROTTLE_SCALE: '0.01' });
    await receiver.up();
  }, 60_000);
  afterAll(async () => {
    await receiver.down();
    await slow.stop();
  });

  it('cancels an IN_QUEUE feed, never applied, announced CANCELLED; refuses to cancel it again', async () => {
    const own = (await slow.createKey(MERCHANT)) as unknown as LwaKey;
    const { secret } = await addDestination(slow.env, MERCHANT, receiver.url);
    const { api } = await feedsApi(slow.base, own);
    const body = listingsFeed(MERCHANT, [update(1, 'KEEP', { fulfillment_availability: availability(1) })]);
    const sent = await sendFeed(api, 'JSON_LISTINGS_FEED', 'application/json', body);
    expect((await api.getFeed({ feedId: sent.feedId })).data.processingStatus).toBe('IN_QUEUE');
    expect((await api.cancelFeed({ feedId: sent.feedId })).status).toBe(200);
    expect((await api.getFeed({ feedId: sent.feedId })).data.processingStatus).toBe('CANCELLED');
    const again = await status(api.cancelFeed({ feedId: sent.feedId }));
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ errors: [expect.objectContaining({ code: 'InvalidInput' })] });

    const notice = await receiver.waitFor(sent.feedId);
    expect([notificationSchema(notice.json), notificationSchema.errors ?? null]).toEqual([true, null]);
    expect(notice.json.payload.feedProcessingFinishedNotification.processingStatus).toBe('CANCELLED');
    expect(notice.json.payload.feedProcessingFinishedNotification).not.toHaveProperty('resultFeedDocumentId');
    expect(notice.signature).toBe(signatureOf(secret, notice.body));

    // A later feed of the same seller goes through the lane after the cancelled one: once it is done, the
    // cancelled feed's quantity is still nowhere in the ledger.
    const laterBody = listingsFeed(MERCHANT, [update(1, 'LATER', { fulfillment_availability: availability(2) })]);
    const later = await sendFeed(api, 'JSON_LISTINGS_FEED', 'application/json', laterBody);
    expect((await waitEnded(api, later.feedId)).processingStatus).toBe('DONE');
    const inventory = (sku: string) =>
      runCli(['inventory', sku, '--format', 'json'], { env: { ...slow.env, FEEDPROC_MERCHANT: MERCHANT } });
    expect(JSON.parse((await inventory('LATER')).stdout)).toMatchObject({ quantity: 2 });
    expect((await inventory('KEEP')).stderr).toContain('no inventory record for SKU KEEP');
  }, 90_000);
});
