/**
 * Integrity of the HTTP doors against a careless integrator and a malicious merchant, over real sockets against
 * real `feedproc serve` processes and Redis: the declared FeedType decides on every door, the SP-API one included
 * (an order report sent as a feed is rejected with 97050, never imported); Signature V2 requests live at most 15 minutes and SubmitFeed's
 * body is bound to the signature by ContentMD5Value; an Idempotency-Key is bound to its request; NextTokens are
 * signed; the trusted-proxy setting makes cookies Secure; every JSON route is throttled.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { adjustmentFeed } from '../helpers/feeds.js';
import { encodeParams, errorOf, md5Base64, MwsTestClient, resultOf, send, sign } from '../helpers/mws-client.js';
import { call, type Answer } from '../helpers/json-client.js';
import { sleep } from '../helpers/wait.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { feedsApi, resultText, sendFeed, waitEnded, type LwaKey } from '../helpers/sp-api.js';
import { makeTempDir } from '../helpers/tmp.js';
import { csrfOf, recentOrderReport, WebClient } from '../helpers/web-client.js';

const MERCHANT = 'A1KW3PLX9Q7ZT2';
const FLAT_TYPE = '_POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA_';
const XML_TYPE = '_POST_PAYMENT_ADJUSTMENT_DATA_';

/**
 * Polls the feed until it is finished; fails (with what it saw) when it is not within the deadline. Every 500 ms:
 * the listing draws on the merchant's hourly GetFeedSubmissionList quota (80), which the throttle scale does not
 * shorten, and the three doors' tests share one merchant.
 */
async function waitFinished(serve: ServeProcess, secret: string, id: string): Promise<Answer> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const info = await call(serve, `/feeds/${id}`, { secret });
    if (['_DONE_', '_CANCELLED_'].includes(info.json?.feedProcessingStatus)) return info;
    if (Date.now() > deadline) throw new Error(`feed ${id} still ${info.text} after 60 s`);
    await sleep(500);
  }
}

/** An order report (Amazon's _GET_FLAT_FILE_ORDERS_DATA_) whose first order id is one the ledger has never seen. */
function orderReportWithNewOrder(newOrderId: string): string {
  const text = readFileSync(join(REPO_ROOT, 'samples', 'order-report.txt'), 'utf8');
  return text.replaceAll('405-3812004-6650731', newOrderId);
}

describe('the declared FeedType decides, on every door', () => {
  let serve: ServeProcess;
  let key: { accessKeyId: string; secretKey: string; merchantId: string };
  const tmp = makeTempDir('feedproc-integrity-');

  beforeAll(async () => {
    serve = await startServe({ FEEDPROC_THROTTLE_SCALE: '0.001', FEEDPROC_WATCH_STABLE_MS: '200' });
    key = await serve.createKey(MERCHANT);
    await serve.importOrders(MERCHANT, recentOrderReport(tmp.dir));
  }, 90_000);
  afterAll(async () => {
    await serve?.stop();
    tmp.cleanup();
  });

  const expectRejectedNotImported = async (feedId: string, orderId: string, code: string): Promise<void> => {
    const info = await waitFinished(serve, key.secretKey, feedId);
    expect(info.json.feedProcessingStatus).toBe('_DONE_');
    const result = await call(serve, `/feeds/${feedId}/result`, { secret: key.secretKey });
    expect(result.status).toBe(200);
    expect(result.text).toContain(code);
    // Nothing of the order report reached the ledger.
    const order = await call(serve, `/orders/${orderId}`, { secret: key.secretKey });
    expect([order.status, order.json?.error?.feedprocCode]).toEqual([404, 'HTTP_ORDER_NOT_FOUND']);
  };

  it('JSON API: an order report sent as a flat payment-adjustment feed is rejected with 97050', async () => {
    const body = orderReportWithNewOrder('405-0000001-0000001');
    const sent = await call(serve, `/feeds?feedType=${FLAT_TYPE}`, {
      method: 'POST',
      secret: key.secretKey,
      body,
      headers: { 'content-md5': md5Base64(body) },
    });
    expect([sent.status, sent.json.feedProcessingStatus]).toEqual([201, '_SUBMITTED_']);
    await expectRejectedNotImported(sent.json.feedSubmissionId, '405-0000001-0000001', '97050');
  }, 150_000);

  it('MWS SubmitFeed: as a flat feed it is rejected with 97050, as an XML feed with the type mismatch 5001', async () => {
    const mws = new MwsTestClient(serve.port, key);
    const flat = orderReportWithNewOrder('405-0000002-0000002');
    const flatInfo = await mws.submit(FLAT_TYPE, flat);
    await expectRejectedNotImported(flatInfo.FeedSubmissionId, '405-0000002-0000002', '97050');
    const xml = orderReportWithNewOrder('405-0000003-0000003');
    const xmlInfo = await mws.submit(XML_TYPE, xml);
    await expectRejectedNotImported(xmlInfo.FeedSubmissionId, '405-0000003-0000003', '5001');
  }, 150_000);

  it('web upload: an order report uploaded as a payment-adjustment feed is rejected with 97050', async () => {
    const client = new WebClient(serve.base);
    expect((await client.signIn(key.accessKeyId, key.secretKey)).status).toBe(303);
    const form = new FormData();
    form.append('_csrf', csrfOf((await client.get('/web/upload')).text));
    form.append('feedType', FLAT_TYPE);
    form.append('file', new Blob([orderReportWithNewOrder('405-0000004-0000004')]), 'orders.txt');
    const sent = await client.postMultipart('/web/upload', form);
    expect(sent.status).toBe(303);
    const feedId = (/^\/web\/feeds\/(\d+)$/.exec(sent.location ?? '') as RegExpExecArray)[1] as string;
    await expectRejectedNotImported(feedId, '405-0000004-0000004', '97050');
  }, 150_000);

  it('SP-API createFeed: an order report sent as POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA ends FATAL with 97050', async () => {
    const { api } = await feedsApi(serve.base, key as unknown as LwaKey);
    const body = orderReportWithNewOrder('405-0000005-0000005');
    const sent = await sendFeed(api, 'POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA', 'text/tab-separated-values', body);
    const ended = await waitEnded(api, sent.feedId);
    expect(ended.processingStatus).toBe('FATAL');
    expect((await resultText(api, ended.resultFeedDocumentId as string)).text).toContain('97050');
    await expectRejectedNotImported(sent.feedId, '405-0000005-0000005', '97050');
    const order = await runCli(['order', '405-0000005-0000005'], {
      env: { ...serve.env, FEEDPROC_MERCHANT: MERCHANT },
    });
    expect(order.code).not.toBe(0);
    expect(order.stderr).toContain(`CLI_NOT_FOUND: merchant ${MERCHANT} has no order 405-0000005-0000005`);
  }, 150_000);
});

describe('MWS Signature V2 limits and the body bound to the signature', () => {
  let serve: ServeProcess;
  let mws: MwsTestClient;

  beforeAll(async () => {
    serve = await startServe({ FEEDPROC_THROTTLE_SCALE: '0.001', FEEDPROC_WATCH_STABLE_MS: '200' });
    mws = new MwsTestClient(serve.port, await serve.createKey(MERCHANT));
  }, 90_000);
  afterAll(async () => serve?.stop());

  it('refuses an Expires more than 15 minutes ahead (9999-12-31 included) and accepts one within them', async () => {
    for (const expires of [new Date('9999-12-31T23:59:59Z'), new Date(Date.now() + 20 * 60_000)]) {
      const far = await mws.call('GetFeedSubmissionCount', {}, { expires });
      expect([far.status, errorOf(far).Code, errorOf(far).Message]).toEqual([
        400,
        'InvalidParameterValue',
        expect.stringContaining('more than 15 minutes after the server time'),
      ]);
    }
    const near = await mws.call('GetFeedSubmissionCount', {}, { expires: new Date(Date.now() + 10 * 60_000) });
    expect([near.status, resultOf(near, 'GetFeedSubmissionCount').Count]).toEqual([200, '0']);
  });

  it('SubmitFeed needs the signed ContentMD5Value; one signed URL cannot carry a different body', async () => {
    const feed = adjustmentFeed(1);
    // An unsigned Content-MD5 header binds nothing to the signature.
    const unsigned = await mws.call(
      'SubmitFeed',
      { FeedType: XML_TYPE },
      { body: feed, headers: { 'content-md5': md5Base64(feed) } },
    );
    expect([unsigned.status, errorOf(unsigned).Code]).toEqual([400, 'ContentMD5Missing']);
    // One signed URL, first with its body, then with another body (and the other body's MD5 as a header).
    const signed = sign(
      mws.key,
      serve.port,
      {
        Action: 'SubmitFeed',
        Version: '2009-01-01',
        SellerId: MERCHANT,
        FeedType: XML_TYPE,
        ContentMD5Value: md5Base64(feed),
      },
      { method: 'POST' },
    );
    const path = `/Feeds/2009-01-01?${encodeParams(signed)}`;
    const first = await send(serve.port, { method: 'POST', path, body: feed });
    expect(first.status).toBe(200);
    const other = adjustmentFeed(2);
    const replayed = await send(serve.port, {
      method: 'POST',
      path,
      body: other,
      headers: { 'content-md5': md5Base64(other) },
    });
    expect(replayed.status).toBe(400);
    expect(replayed.text).toContain('<Code>ContentMD5DoesNotMatch</Code>');
    const listed = resultOf(await mws.call('GetFeedSubmissionCount'), 'GetFeedSubmissionCount');
    expect(listed.Count).toBe('1');
  });
});

describe('JSON API: Idempotency-Key bound to its request; signed NextTokens', () => {
  let serve: ServeProcess;
  let key: { accessKeyId: string; secretKey: string; merchantId: string };
  const tmp = makeTempDir('feedproc-integrity-');

  beforeAll(async () => {
    serve = await startServe({ FEEDPROC_THROTTLE_SCALE: '0.001', FEEDPROC_WATCH_STABLE_MS: '200' });
    key = await serve.createKey(MERCHANT);
    await serve.importOrders(MERCHANT, recentOrderReport(tmp.dir));
  }, 90_000);
  afterAll(async () => {
    await serve?.stop();
    tmp.cleanup();
  });

  const cancel = (orderId: string, body: object, idempotencyKey: string) =>
    call(serve, `/orders/${orderId}/cancel`, {
      method: 'POST',
      secret: key.secretKey,
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    });

  it('replays the same request, and refuses the key with another order or another body (422), cancelling nothing', async () => {
    const first = await cancel('405-2268390-5512084', { reason: 'NoInventory' }, 'idem-1');
    expect([first.status, first.json]).toEqual([200, { amazonOrderId: '405-2268390-5512084', result: 'Cancelled' }]);
    const replay = await cancel('405-2268390-5512084', { reason: 'NoInventory' }, 'idem-1');
    expect([replay.status, replay.json]).toEqual([200, { amazonOrderId: '405-2268390-5512084', result: 'Cancelled' }]);

    const otherOrder = await cancel('405-7720193-2281946', { reason: 'NoInventory' }, 'idem-1');
    expect([otherOrder.status, otherOrder.json.error.feedprocCode]).toEqual([422, 'HTTP_IDEMPOTENCY_KEY_REUSED']);
    expect(otherOrder.json.error.message).toContain('already used for a different request');
    const otherBody = await cancel('405-2268390-5512084', { reason: 'CustomerReturn' }, 'idem-1');
    expect([otherBody.status, otherBody.json.error.feedprocCode]).toEqual([422, 'HTTP_IDEMPOTENCY_KEY_REUSED']);

    const untouched = await call(serve, '/orders/405-7720193-2281946', { secret: key.secretKey });
    expect(untouched.status).toBe(200);
    expect(untouched.json.status).not.toBe('Canceled');
  });

  it('signs NextTokens: a valid one pages on; an altered or forged one is 400 on both doors', async () => {
    for (let i = 1; i <= 3; i += 1) {
      const body = adjustmentFeed(i);
      const sent = await call(serve, `/feeds?feedType=${XML_TYPE}`, {
        method: 'POST',
        secret: key.secretKey,
        body,
        headers: { 'content-md5': md5Base64(body) },
      });
      expect(sent.status).toBe(201);
    }
    const page = await call(serve, '/feeds?maxCount=1', { secret: key.secretKey });
    expect([page.status, page.json.feeds.length, page.json.hasNext]).toEqual([200, 1, true]);
    const token = page.json.nextToken as string;
    const next = await call(serve, `/feeds?nextToken=${encodeURIComponent(token)}`, { secret: key.secretKey });
    expect([next.status, next.json.feeds.length]).toEqual([200, 1]);

    // The state as the token carries it, with MaxCount and the 90-day window taken off.
    const state = JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString('utf8'));
    const widened = Buffer.from(JSON.stringify({ ...state, n: 1000, f: {} })).toString('base64url');
    const forgeries = [widened, `${widened}.${token.split('.')[1] ?? ''}`, `${token}x`, 'not-a-token', '{}'];
    for (const forged of forgeries) {
      const json = await call(serve, `/feeds?nextToken=${encodeURIComponent(forged)}`, { secret: key.secretKey });
      expect([forged, json.status, json.json?.error?.feedprocCode]).toEqual([forged, 400, 'HTTP_NEXT_TOKEN_INVALID']);
      const mws = await new MwsTestClient(serve.port, key).call('GetFeedSubmissionListByNextToken', {
        NextToken: forged,
      });
      expect([forged, mws.status, errorOf(mws).Code]).toEqual([forged, 400, 'InvalidParameterValue']);
    }
  });
});

describe('behind a trusted proxy, and throttling on every route', () => {
  let serve: ServeProcess;
  let plain: ServeProcess;
  let key: { accessKeyId: string; secretKey: string; merchantId: string };

  beforeAll(async () => {
    // Amazon's quotas slowed 100-fold, so no token comes back while a burst is sent on a slow machine.
    [serve, plain] = await Promise.all([
      startServe({ FEEDPROC_TRUST_PROXY: 'true', FEEDPROC_THROTTLE_SCALE: '100' }),
      startServe(),
    ]);
    key = await serve.createKey(MERCHANT);
  }, 90_000);
  afterAll(async () => {
    await serve?.stop();
    await plain?.stop();
  });

  /** The sign-in POST's session cookie, sent as a proxy would forward it. */
  const sessionCookie = async (target: ServeProcess, accessKey: typeof key, proto?: string): Promise<string> => {
    const client = new WebClient(target.base);
    const form = await client.get('/web/sign-in');
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (client.cookies.size > 0) headers['cookie'] = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (proto) headers['x-forwarded-proto'] = proto;
    const body = new URLSearchParams({
      _csrf: csrfOf(form.text),
      accessKeyId: accessKey.accessKeyId,
      secretKey: accessKey.secretKey,
      next: '/web/feeds',
    });
    const response = await fetch(`${target.base}/web/sign-in`, { method: 'POST', body, headers, redirect: 'manual' });
    expect(response.status).toBe(303);
    const cookie = response.headers.getSetCookie().find((line) => !/max-age=0/i.test(line));
    if (!cookie) throw new Error('no session cookie');
    return cookie;
  };
  const attributes = (cookie: string): string[] => cookie.split(';').map((a) => a.trim().toLowerCase());

  it('FEEDPROC_TRUST_PROXY: the cookie is Secure when the proxy says https, and only then', async () => {
    expect(attributes(await sessionCookie(serve, key, 'https'))).toContain('secure');
    expect(attributes(await sessionCookie(serve, key, 'http'))).not.toContain('secure');
    expect(attributes(await sessionCookie(serve, key))).not.toContain('secure');
    // Without the setting, the header is anyone's to send and is not believed.
    const plainKey = await plain.createKey(MERCHANT);
    expect(attributes(await sessionCookie(plain, plainKey, 'https'))).not.toContain('secure');
  });

  it('throttles GET /orders/{id}, order cancel and /metrics like the feed operations (503 RequestThrottled)', async () => {
    const routes: Array<{ path: string; method: string; burst: number }> = [
      { path: '/orders/405-9999999-9999999', method: 'GET', burst: 20 },
      { path: '/orders/405-9999999-9999999/cancel', method: 'POST', burst: 20 },
      { path: '/metrics?days=365', method: 'GET', burst: 10 },
    ];
    for (const route of routes) {
      const statuses: number[] = [];
      for (let i = 0; i <= route.burst; i += 1) {
        const answer = await call(serve, route.path, {
          method: route.method,
          secret: key.secretKey,
          ...(route.method === 'POST'
            ? { body: JSON.stringify({ reason: 'NoInventory' }), headers: { 'content-type': 'application/json' } }
            : {}),
        });
        statuses.push(answer.status);
        if (i === route.burst) {
          expect([route.path, answer.json?.error?.code]).toEqual([route.path, 'RequestThrottled']);
          expect(answer.headers.get('x-mws-quota-max')).not.toBeNull();
        }
      }
      const expected = route.path.startsWith('/metrics') ? 200 : 404;
      expect([route.path, statuses]).toEqual([route.path, [...Array(route.burst).fill(expected), 503]]);
    }
  });
});
