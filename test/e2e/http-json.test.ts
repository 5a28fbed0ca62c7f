/**
 * The JSON API over real sockets against a real `feedproc serve`: keys (none, unknown, revoked), merchants kept
 * apart, uploads (MD5, size limits without buffering), paging, throttling and its recovery, cancelling, results
 * with their Content-MD5, orders, metrics, health and the OpenAPI document.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { testRedisUrl } from '../helpers/redis.js';
import { FLAT_ADJUSTMENT_HEADER, flatAdjustmentRow } from '../helpers/feeds.js';
import { call, type Answer } from '../helpers/json-client.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { sleep, waitUntil } from '../helpers/wait.js';

const MERCHANT = 'A1KW3PLX9Q7ZT2';
const OTHER = 'A2OTHERMERCHANT';
const FLAT_TYPE = '_POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA_';
const sample = (name: string): Buffer => readFileSync(join(REPO_ROOT, 'samples', name));
const md5 = (body: Buffer | string): string => createHash('md5').update(body).digest('base64');

async function upload(
  serve: ServeProcess,
  secret: string,
  body: Buffer | string,
  feedType = FLAT_TYPE,
): Promise<Answer> {
  return call(serve, `/feeds?feedType=${feedType}`, {
    method: 'POST',
    secret,
    body,
    headers: { 'content-md5': md5(body), 'content-type': 'text/tab-separated-values' },
  });
}

function waitDone(serve: ServeProcess, secret: string, id: string): Promise<Answer> {
  return waitUntil(
    `feed ${id} done`,
    async () => {
      const info = await call(serve, `/feeds/${id}`, { secret });
      const status = info.json?.feedProcessingStatus;
      return status === '_DONE_' || status === '_CANCELLED_' ? info : undefined;
    },
    120_000,
    50,
  );
}

/** The sample order report with every date moved to yesterday, so its orders fall in the cancel-rate window. */
function ordersToday(): string {
  const today = new Date(Date.now() - 24 * 3600 * 1000).toISOString().slice(0, 10);
  const text = readFileSync(join(REPO_ROOT, 'samples', 'order-report.txt'), 'utf8').replace(
    /\d{4}-\d{2}-\d{2}T/g,
    `${today}T`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'feedproc-orders-'));
  writeFileSync(join(dir, 'order-report.txt'), text);
  return join(dir, 'order-report.txt');
}

const flatFeed = (rows: number[]): string =>
  `${FLAT_ADJUSTMENT_HEADER}\n${rows.map((i) => flatAdjustmentRow(i)).join('\n')}\n`;

describe('JSON API', () => {
  let serve: ServeProcess;
  let key: { accessKeyId: string; secretKey: string };
  let other: { accessKeyId: string; secretKey: string };

  beforeAll(async () => {
    // Quick restores so that throttling can be seen to recover; a long stability window keeps uploads _SUBMITTED_ a while.
    serve = await startServe({
      FEEDPROC_THROTTLE_SCALE: '0.01',
      FEEDPROC_MAX_FEED_BYTES: String(8 << 20),
      FEEDPROC_WATCH_STABLE_MS: '1000',
    });
    key = await serve.createKey(MERCHANT);
    other = await serve.createKey(OTHER);
    await serve.importOrders(MERCHANT, ordersToday());
  }, 60_000);
  afterAll(async () => serve.stop());

  it('refuses every merchant route without a key (401), with an unknown key (401) and with a revoked key (403)', async () => {
    const routes: Array<[string, string]> = [
      ['GET', '/feeds'],
      ['POST', '/feeds?feedType=' + FLAT_TYPE],
      ['GET', '/feeds/count'],
      ['POST', '/feeds/cancel'],
      ['GET', '/feeds/50001'],
      ['POST', '/feeds/50001/cancel'],
      ['GET', '/feeds/50001/result'],
      ['GET', '/orders/405-3812004-6650731'],
      ['POST', '/orders/405-3812004-6650731/cancel'],
      ['GET', '/metrics'],
    ];
    const revoked = await serve.createKey(MERCHANT);
    await serve.revokeKey(revoked.accessKeyId);
    for (const [method, path] of routes) {
      const body = method === 'POST' ? '{}' : undefined;
      const none = await call(serve, path, {
        method,
        body,
        headers: body ? { 'content-type': 'application/json' } : {},
      });
      expect([path, none.status, none.json?.error?.feedprocCode]).toEqual([path, 401, 'HTTP_AUTH_MISSING']);
      const unknown = await call(serve, path, {
        method,
        body,
        secret: 'not-a-key',
        headers: body ? { 'content-type': 'application/json' } : {},
      });
      expect([path, unknown.status, unknown.json?.error?.code]).toEqual([path, 401, 'InvalidAccessKeyId']);
      const gone = await call(serve, path, {
        method,
        body,
        secret: revoked.secretKey,
        headers: body ? { 'content-type': 'application/json' } : {},
      });
      expect([path, gone.status, gone.json?.error?.feedprocCode]).toEqual([path, 403, 'HTTP_KEY_REVOKED']);
    }
  });

  it('submits a feed, reports not ready until done, then the report with a Content-MD5 of its body', async () => {
    const submitted = await upload(serve, key.secretKey, sample('flat-adjustment-valid.txt'));
    expect(submitted.status).toBe(201);
    expect(submitted.json).toMatchObject({
      feedType: FLAT_TYPE,
      feedProcessingStatus: '_SUBMITTED_',
      merchantId: MERCHANT,
    });
    const id = submitted.json.feedSubmissionId as string;
    const early = await call(serve, `/feeds/${id}/result`, { secret: key.secretKey });
    // The watcher waits out a stability window before a merchant's first file, so the report cannot exist yet.
    expect([early.status, early.json?.error?.code]).toEqual([404, 'FeedProcessingResultNotReady']);
    expect((await waitDone(serve, key.secretKey, id)).json.feedProcessingStatus).toBe('_DONE_');
    const result = await call(serve, `/feeds/${id}/result`, { secret: key.secretKey });
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toMatch(/^text\/tab-separated-values/);
    expect(result.headers.get('content-md5')).toBe(md5(Buffer.from(result.text, 'utf8')));
    expect(result.text).toContain('Feed Processing Summary');
    expect(result.text).toMatch(/Number of records processed\t\t7/);
    // The upload went through the drop folder: its report on disk, the file in done/<merchant>/.
    expect(readdirSync(join(serve.feedsDir, 'done', MERCHANT))).toContain(`upload-${id}.txt`);
    expect(readdirSync(join(serve.feedsDir, 'reports'))).toContain(`upload-${id}.txt.${id}.report.txt`);
  });

  it("keeps merchants apart: another merchant's feed is 404, its list does not show it", async () => {
    const mine = await upload(serve, key.secretKey, flatFeed([9001]));
    const id = mine.json.feedSubmissionId as string;
    for (const path of [`/feeds/${id}`, `/feeds/${id}/result`]) {
      const answer = await call(serve, path, { secret: other.secretKey });
      expect([path, answer.status, answer.json?.error?.code]).toEqual([path, 404, 'InvalidFeedSubmissionId']);
    }
    const cancel = await call(serve, `/feeds/${id}/cancel`, { method: 'POST', secret: other.secretKey });
    expect(cancel.status).toBe(404);
    const list = await call(serve, '/feeds?maxCount=100', { secret: other.secretKey });
    expect(list.json.feeds.map((f: { feedSubmissionId: string }) => f.feedSubmissionId)).not.toContain(id);
    const order = await call(serve, '/orders/405-3812004-6650731', { secret: other.secretKey });
    expect([order.status, order.json?.error?.feedprocCode]).toEqual([404, 'HTTP_ORDER_NOT_FOUND']);
    await waitDone(serve, key.secretKey, id);
  });

  it('takes a feed body whatever Content-Type it comes with, or none', async () => {
    for (const contentType of ['x-www-form-urlencoded', 'application/json', 'text/xml; charset=iso-8859-1', null]) {
      const body = flatFeed([9300]);
      const headers: Record<string, string> = { 'content-md5': md5(body) };
      if (contentType) headers['content-type'] = contentType;
      const answer = await call(serve, `/feeds?feedType=${FLAT_TYPE}`, {
        method: 'POST',
        secret: key.secretKey,
        body: Buffer.from(body),
        headers,
      });
      expect([contentType, answer.status]).toEqual([contentType, 201]);
      await waitDone(serve, key.secretKey, answer.json.feedSubmissionId as string);
    }
  });

  it('refuses a body whose Content-MD5 does not match, and a bad feed type, storing nothing', async () => {
    const before = (await call(serve, '/feeds/count', { secret: key.secretKey })).json.count as number;
    const body = flatFeed([9002]);
    const wrong = await call(serve, `/feeds?feedType=${FLAT_TYPE}`, {
      method: 'POST',
      secret: key.secretKey,
      body,
      headers: { 'content-md5': md5('something else') },
    });
    expect([wrong.status, wrong.json?.error?.code]).toEqual([400, 'ContentMD5DoesNotMatch']);
    const badType = await call(serve, '/feeds?feedType=_POST_PRODUCT_DATA_', {
      method: 'POST',
      secret: key.secretKey,
      body,
    });
    expect([badType.status, badType.json?.error?.code]).toEqual([400, 'InvalidFeedType']);
    const missing = await call(serve, '/feeds', { method: 'POST', secret: key.secretKey, body });
    expect([missing.status, missing.json?.error?.code]).toEqual([400, 'MissingParameter']);
    expect((await call(serve, '/feeds/count', { secret: key.secretKey })).json.count).toBe(before);
    const inbox = join(serve.feedsDir, 'processing', MERCHANT);
    expect((existsSync(inbox) ? readdirSync(inbox) : []).filter((n) => n.startsWith('.upload-'))).toEqual([]);
  });

  it('refuses a body over the limit with a 413 the client reads: declared (at once past the drain allowance) or streamed', async () => {
    const declared = await rawPost(serve, key.secretKey, { 'content-length': String(2 ** 31) }, null);
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).error.code).toBe('InvalidRequest');
    // A little over the limit, sent whole before the answer is read (fetch): the rest is drained, the 413 read.
    const whole = await fetch(`${serve.base}/feeds?feedType=${FLAT_TYPE}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secretKey}` },
      body: Buffer.alloc((8 << 20) + (1 << 20), 0x41),
    });
    expect([whole.status, ((await whole.json()) as Answer['json']).error.feedprocCode]).toEqual([
      413,
      'HTTP_BODY_TOO_LARGE',
    ]);
    // 64 MiB streamed in 1 MiB chunks against an 8 MiB limit: refused, the partial file removed, memory flat.
    const streamed = await rawPost(serve, key.secretKey, { 'transfer-encoding': 'chunked' }, 64);
    expect(streamed.status).toBe(413);
    const inbox = join(serve.feedsDir, 'processing', MERCHANT);
    expect((existsSync(inbox) ? readdirSync(inbox) : []).filter((n) => n.startsWith('.upload-'))).toEqual([]);
    const status = readFileSync(`/proc/${serve.process.child.pid}/status`, 'utf8');
    const peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    expect(peakKb).toBeLessThan(250 * 1024);
  }, 60_000);

  it('keeps a refused connection open a moment after its answer, so a client that reads late still reads the 413', async () => {
    // 64 MiB in chunks against the 8 MiB limit, read only a second after sending starts: a connection closed at
    // once after the answer would reset this client's pending writes and the answer with them.
    const socket = connect(serve.port, '127.0.0.1');
    socket.pause();
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(
      `POST /feeds?feedType=${FLAT_TYPE} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key.secretKey}\r\n` +
        'Transfer-Encoding: chunked\r\n\r\n',
    );
    const data = Buffer.alloc(1 << 20, 0x41);
    const frame = Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]);
    let sent = 0;
    const pump = (): void => {
      while (sent < 64 && !socket.destroyed) {
        sent += 1;
        if (!socket.write(frame)) return void socket.once('drain', pump);
      }
    };
    pump();
    await sleep(1000);
    let answer = '';
    socket.setEncoding('latin1').on('data', (d: string) => (answer += d));
    socket.resume();
    await closed;
    expect(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]).toBe('413');
    expect(answer).toContain('HTTP_BODY_TOO_LARGE');
  }, 60_000);

  it('pages the feed list with maxCount and nextToken, newest first, and refuses a token from another merchant', async () => {
    const pager = await serve.createKey('A3PAGING');
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1)
      ids.push((await upload(serve, pager.secretKey, flatFeed([9100 + i]))).json.feedSubmissionId as string);
    const seen: string[] = [];
    let page = await call(serve, '/feeds?maxCount=2', { secret: pager.secretKey });
    const sizes: number[] = [];
    for (;;) {
      expect(page.status).toBe(200);
      sizes.push(page.json.feeds.length);
      seen.push(...page.json.feeds.map((f: { feedSubmissionId: string }) => f.feedSubmissionId));
      if (!page.json.hasNext) break;
      const token = page.json.nextToken as string;
      const stolen = await call(serve, `/feeds?nextToken=${encodeURIComponent(token)}`, { secret: key.secretKey });
      expect([stolen.status, stolen.json?.error?.feedprocCode]).toEqual([400, 'HTTP_NEXT_TOKEN_INVALID']);
      page = await call(serve, `/feeds?nextToken=${encodeURIComponent(token)}`, { secret: pager.secretKey });
    }
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual([...ids].reverse());
    expect((await call(serve, '/feeds/count', { secret: pager.secretKey })).json.count).toBe(5);
    const tooMany = await call(serve, '/feeds?maxCount=101', { secret: pager.secretKey });
    expect([tooMany.status, tooMany.json?.error?.code]).toEqual([400, 'InvalidParameterValue']);
    // Statuses MWS knows but feedproc never uses are accepted and match nothing; unknown ones are refused.
    expect((await call(serve, '/feeds/count?status=_IN_SAFETY_NET_', { secret: pager.secretKey })).json).toEqual({
      count: 0,
    });
    expect((await call(serve, '/feeds/count?status=_WHATEVER_', { secret: pager.secretKey })).status).toBe(400);
    for (const id of ids) await waitDone(serve, pager.secretKey, id);
  }, 60_000);

  it('cancels a feed not yet started (nothing applied, no report), and refuses to cancel a started one', async () => {
    const canceller = await serve.createKey('A4CANCELS');
    await serve.importOrders('A4CANCELS', ordersToday());
    // The lane waits one stability window before its first file: both feeds are still _SUBMITTED_ now.
    const first = (await upload(serve, canceller.secretKey, sample('flat-adjustment-valid.txt'))).json
      .feedSubmissionId as string;
    const cancelled = await call(serve, `/feeds/${first}/cancel`, { method: 'POST', secret: canceller.secretKey });
    expect([cancelled.status, cancelled.json?.feedProcessingStatus]).toEqual([200, '_CANCELLED_']);
    const result = await call(serve, `/feeds/${first}/result`, { secret: canceller.secretKey });
    expect([result.status, result.json?.error?.code]).toEqual([404, 'FeedCanceled']);
    const second = (await upload(serve, canceller.secretKey, flatFeed([9200]))).json.feedSubmissionId as string;
    await waitDone(serve, canceller.secretKey, second);
    const refused = await call(serve, `/feeds/${second}/cancel`, { method: 'POST', secret: canceller.secretKey });
    expect([refused.status, refused.json?.error?.feedprocCode]).toEqual([409, 'HTTP_NOT_CANCELABLE']);
    // Nothing of the cancelled feed reached the ledger: the order it would have refunded is untouched.
    const order = await call(serve, '/orders/407-5531702-1189363', { secret: canceller.secretKey });
    expect(
      order.json.items.every(
        (i: { quantityCancelled: number; refunded: object }) =>
          i.quantityCancelled === 0 && Object.keys(i.refunded).length === 0,
      ),
    ).toBe(true);
    const bulk = await call(serve, '/feeds/cancel', { method: 'POST', secret: canceller.secretKey });
    expect(
      bulk.json.feeds.map((f: { feedSubmissionId: string; feedProcessingStatus: string }) => [
        f.feedSubmissionId,
        f.feedProcessingStatus,
      ]),
    ).toEqual([
      [second, '_DONE_'],
      [first, '_CANCELLED_'],
    ]);
  }, 60_000);

  it('throttles per merchant with the MWS quotas and recovers at the restore rate', async () => {
    const busy = await serve.createKey('A5THROTTLED');
    const answers: Answer[] = [];
    for (let i = 0; i < 11; i += 1) answers.push(await call(serve, '/feeds/count', { secret: busy.secretKey }));
    expect(answers.slice(0, 10).map((a) => a.status)).toEqual(Array(10).fill(200));
    const refused = answers[10] as Answer;
    expect([refused.status, refused.json?.error?.code]).toEqual([503, 'RequestThrottled']);
    expect(refused.headers.get('x-mws-quota-max')).toBe('80');
    expect(refused.headers.get('x-mws-quota-remaining')).toBe('70');
    expect(Date.parse(refused.headers.get('x-mws-quota-resetsOn') ?? '')).toBeGreaterThan(Date.now());
    // Another merchant is not affected.
    expect((await call(serve, '/feeds/count', { secret: other.secretKey })).status).toBe(200);
    // One request restores every 45 s × 0.01 = 0.45 s.
    await sleep(600);
    expect((await call(serve, '/feeds/count', { secret: busy.secretKey })).status).toBe(200);
  });

  it('cancels an order with a reason and note once per idempotency key, refuses what is no longer open, and counts it in the cancel rate', async () => {
    const orderId = '405-2268390-5512084';
    const before = (await call(serve, '/metrics', { secret: key.secretKey })).json;
    const body = JSON.stringify({ reason: 'NoInventory', note: 'Out of stock <b>sorry</b>' });
    const headers = { 'content-type': 'application/json', 'idempotency-key': 'req-1' };
    const first = await call(serve, `/orders/${orderId}/cancel`, {
      method: 'POST',
      secret: key.secretKey,
      body,
      headers,
    });
    expect([first.status, first.json]).toEqual([200, { amazonOrderId: orderId, result: 'Cancelled' }]);
    const replay = await call(serve, `/orders/${orderId}/cancel`, {
      method: 'POST',
      secret: key.secretKey,
      body,
      headers,
    });
    expect([replay.status, replay.json.result]).toEqual([200, 'Cancelled']);
    const again = await call(serve, `/orders/${orderId}/cancel`, {
      method: 'POST',
      secret: key.secretKey,
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(again.status).toBe(409);
    expect(again.json.result).toBe('Refused');
    const order = (await call(serve, `/orders/${orderId}`, { secret: key.secretKey })).json;
    expect(order).toMatchObject({
      amazonOrderId: orderId,
      merchantId: MERCHANT,
      status: 'Canceled',
      sellerNote: 'Out of stock <b>sorry</b>',
    });
    expect(
      order.items.every(
        (i: { quantityOrdered: number; quantityCancelled: number }) => i.quantityCancelled === i.quantityOrdered,
      ),
    ).toBe(true);
    const badReason = await call(serve, `/orders/${orderId}/cancel`, {
      method: 'POST',
      secret: key.secretKey,
      body: JSON.stringify({ reason: 'Whatever' }),
      headers: { 'content-type': 'application/json' },
    });
    expect([badReason.status, badReason.json.error.code]).toEqual([400, 'InvalidParameterValue']);
    const badItem = await call(serve, `/orders/${orderId}/cancel`, {
      method: 'POST',
      secret: key.secretKey,
      body: JSON.stringify({ reason: 'NoInventory', items: [{ code: '12' }] }),
      headers: { 'content-type': 'application/json' },
    });
    expect([badItem.status, badItem.json.error.code]).toEqual([400, 'InvalidRequest']);
    const after = (await call(serve, '/metrics', { secret: key.secretKey })).json;
    expect(before).toMatchObject({ merchantId: MERCHANT, windowDays: 7, target: 0.025, orders: 12 });
    expect(after).toMatchObject({
      merchantId: MERCHANT,
      windowDays: 7,
      orders: 12,
      sellerCancelledOrders: before.sellerCancelledOrders + 1,
    });
    expect(after.cancelRate).toBeCloseTo(after.sellerCancelledOrders / 12, 5);
    const tooLong = await call(serve, '/metrics?days=3650', { secret: key.secretKey });
    expect([tooLong.status, tooLong.json.error.code]).toEqual([400, 'InvalidParameterValue']);
  });

  it('lists and revokes keys from the CLI, and keeps no secret in Redis in the clear', async () => {
    const listed = JSON.parse(
      (await runCli(['keys', 'list', '--merchant', MERCHANT, '--format', 'json'], { env: serve.env })).stdout,
    ) as Array<{ accessKeyId: string; revokedAt: string | null }>;
    expect(listed.find((k) => k.accessKeyId === key.accessKeyId)).toMatchObject({
      merchantId: MERCHANT,
      revokedAt: null,
    });
    expect(listed.some((k) => k.accessKeyId === other.accessKeyId)).toBe(false);
    const redis = new Redis(testRedisUrl());
    const values: string[] = [];
    for (const name of await redis.keys(`${serve.prefix}:{keys}:*`)) {
      const type = await redis.type(name);
      if (type === 'hash') values.push(...Object.values(await redis.hgetall(name)));
      else if (type === 'string') values.push((await redis.get(name)) ?? '');
      else values.push(...(await redis.zrange(name, '0', '-1')));
    }
    await redis.quit();
    expect(values.length).toBeGreaterThan(0);
    expect(values.filter((v) => v.includes(key.secretKey) || v.includes(other.secretKey))).toEqual([]);
    const unknown = await runCli(['keys', 'revoke', 'AKFPNOSUCHKEY'], { env: serve.env });
    expect([unknown.code, unknown.stderr.trim()]).toEqual([6, 'feedproc: CLI_NOT_FOUND: no access key AKFPNOSUCHKEY']);
  });

  it('answers /health without a key and describes every route in /openapi.json', async () => {
    expect((await call(serve, '/health')).json).toEqual({ status: 'ok', redis: 'up' });
    const doc = (await call(serve, '/openapi.json')).json;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/destinations',
        '/destinations/{id}',
        '/feeds',
        '/feeds/count',
        '/feeds/cancel',
        '/feeds/{id}',
        '/feeds/{id}/cancel',
        '/feeds/{id}/result',
        '/health',
        '/metrics',
        '/orders/{id}',
        '/orders/{id}/cancel',
      ].sort(),
    );
  });
});

/** A POST /feeds with raw control over headers; `megabytes` of zeros streamed in 1 MiB chunks (null: no body). */
function rawPost(
  serve: ServeProcess,
  secret: string,
  headers: Record<string, string>,
  megabytes: number | null,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(
      `${serve.base}/feeds?feedType=${FLAT_TYPE}`,
      { method: 'POST', headers: { authorization: `Bearer ${secret}`, ...headers } },
      (res) => {
        answered = true;
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        // 'close', not 'end': the server closes a connection whose body it left unread right after its answer, and
        // the reset that follows may reach the client before the answer's end is signalled.
        res.on('close', () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err),
    );
    // A connection that ends without an answer is one (status 0), not a hang.
    req.on('close', () => (answered ? undefined : resolve({ status: 0, body: '' })));
    if (megabytes === null) {
      req.flushHeaders();
      return;
    }
    const chunk = Buffer.alloc(1 << 20, 0x41);
    let sent = 0;
    const pump = (): void => {
      while (sent < megabytes) {
        sent += 1;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}
