/**
 * Limits at the HTTP doors, over real sockets: oversized headers and query strings are refused by Node before any
 * route runs (and the server goes on answering), an exactly replayed SubmitFeed — valid for its 15 minutes,
 * as on MWS — is recorded as a duplicate of the first and applies nothing, a connection that falls silent
 * mid-upload is closed with nothing of its body kept, and an upload whose body a recovery pass removed (it took
 * longer than the recovery age) is told to send it again.
 */
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { adjustmentFeed } from '../helpers/feeds.js';
import {
  encodeParams,
  md5Base64,
  MwsTestClient,
  parseAnswer,
  resultOf,
  send,
  sign,
  type MwsKey,
} from '../helpers/mws-client.js';
import { call } from '../helpers/json-client.js';
import { runCli } from '../helpers/cli.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { sleep, waitUntil } from '../helpers/wait.js';

const TYPE = '_POST_PAYMENT_ADJUSTMENT_DATA_';
let serve: ServeProcess;
let key: MwsKey;

beforeAll(async () => {
  serve = await startServe({ FEEDPROC_THROTTLE_SCALE: '0.0001' });
  key = await serve.createKey('A1MERCHANT');
});
afterAll(async () => serve.stop());

/** Sends raw request bytes and returns the status of what comes back before the server closes the connection. */
function statusOfRaw(request: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(serve.port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (answer += d));
    // The server may close while the request is still being written; what it answered is what counts.
    socket.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' || err.code === 'EPIPE' ? undefined : reject(err),
    );
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.write(request);
  });
}

/** The bodies of uploads still being received for a merchant (processing/<M>/.upload-*.tmp). */
function uploadBodiesOf(server: ServeProcess, merchant: string): string[] {
  const dir = join(server.feedsDir, 'processing', merchant);
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('.upload-')) : [];
}

describe('HTTP limits', () => {
  it('refuses a header block over 16 KiB and a query string over 16 KiB with 431, and keeps serving', async () => {
    expect(await statusOfRaw(`GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`)).toBe(431);
    expect(
      await statusOfRaw(
        `GET /Feeds/2009-01-01?Action=GetFeedSubmissionCount&pad=${'b'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      ),
    ).toBe(431);
    expect(
      await statusOfRaw(
        `GET /feeds?feedType=${'c'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer x\r\n\r\n`,
      ),
    ).toBe(431);
    const fine = await send(serve.port, { method: 'GET', path: '/health', headers: {} });
    expect([fine.status, JSON.parse(fine.text)]).toEqual([200, { status: 'ok', redis: 'up' }]);
  });

  it('records an exactly replayed SubmitFeed as a duplicate of the first: nothing is applied twice', async () => {
    const feed = adjustmentFeed(2);
    const params = sign(
      key,
      serve.port,
      {
        Action: 'SubmitFeed',
        Version: '2009-01-01',
        SellerId: key.merchantId,
        FeedType: TYPE,
        ContentMD5Value: md5Base64(feed),
      },
      { method: 'POST', path: '/Feeds/2009-01-01' },
    );
    const post = async () =>
      parseAnswer(
        await send(serve.port, {
          method: 'POST',
          path: `/Feeds/2009-01-01?${encodeParams(params)}`,
          headers: { 'content-type': 'text/xml' },
          body: feed,
        }),
      );
    const first = resultOf(await post(), 'SubmitFeed').FeedSubmissionInfo?.[0];
    const replay = resultOf(await post(), 'SubmitFeed').FeedSubmissionInfo?.[0];
    expect(first && replay && first.FeedSubmissionId !== replay.FeedSubmissionId).toBe(true);
    const mws = new MwsTestClient(serve.port, key);
    await mws.waitDone(first?.FeedSubmissionId ?? '');
    await mws.waitDone(replay?.FeedSubmissionId ?? '');
    const report = await mws.call('GetFeedSubmissionResult', { FeedSubmissionId: replay?.FeedSubmissionId ?? '' });
    expect(report.status).toBe(200);
    expect(report.text).toContain('<ResultMessageCode>97010</ResultMessageCode>');
    expect(report.text).toContain(`feed ${first?.FeedSubmissionId}`);
    expect(report.text).toContain('<MessagesProcessed>0</MessagesProcessed>');
  });
});

describe('a connection silent for FEEDPROC_HTTP_IDLE_TIMEOUT_MS', () => {
  const merchant = 'A1KW3PLX9Q7ZT2';
  const flatType = '_POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA_';
  let quiet: ServeProcess;
  beforeAll(async () => {
    quiet = await startServe({ FEEDPROC_HTTP_IDLE_TIMEOUT_MS: '1000' });
  });
  afterAll(async () => quiet.stop());

  const uploadBodies = (): string[] => uploadBodiesOf(quiet, merchant);

  it('is closed mid-upload: its body is removed, no feed is reserved, and the next upload is taken', async () => {
    const key = await quiet.createKey(merchant);
    const socket = connect(quiet.port, '127.0.0.1');
    socket.on('error', () => undefined); // the server ends it; how is not the point
    const closed = new Promise<'closed'>((resolve) => socket.on('close', () => resolve('closed')));
    socket.write(
      `POST /feeds?feedType=${flatType} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key.secretKey}\r\n` +
        `Content-Length: 100000\r\n\r\norder-id\torder-item-id\tadjustment-reason-code\n`,
    );
    await waitUntil('the upload body on disk', () => (uploadBodies().length === 1 ? true : undefined), 30_000);
    // Then nothing more is sent: the server, not the client, must end it.
    expect(await Promise.race([closed, sleep(30_000).then(() => 'still open')])).toBe('closed');
    await waitUntil('the body removed', () => (uploadBodies().length === 0 ? true : undefined), 30_000);
    const feeds = await runCli(['feeds', '--format', 'json'], { env: quiet.env });
    expect([feeds.code, JSON.parse(feeds.stdout)]).toEqual([0, []]);

    const body = 'order-id\torder-item-id\tadjustment-reason-code\n';
    const sent = await call(quiet, `/feeds?feedType=${flatType}`, { method: 'POST', secret: key.secretKey, body });
    expect([sent.status, sent.json?.feedProcessingStatus]).toEqual([201, '_SUBMITTED_']);
  }, 120_000);
});

describe('an upload that outlasts FEEDPROC_RECOVERY_AGE_MS', () => {
  const merchant = 'A1KW3PLX9Q7ZT2';
  const flatType = '_POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA_';
  let hasty: ServeProcess;
  beforeAll(async () => {
    // A recovery pass every 200 ms that takes any upload body as an interrupted upload's leftover.
    hasty = await startServe({ FEEDPROC_RECOVERY_AGE_MS: '0', FEEDPROC_RECOVERY_INTERVAL_MS: '200' });
  });
  afterAll(async () => hasty.stop());

  it('is answered 503 UPLOAD_BODY_LOST (send it again) when recovery removed its body, and nothing is reserved', async () => {
    const key = await hasty.createKey(merchant);
    const head = 'order-id\torder-item-id\tadjustment-reason-code\n';
    const rest = '405-3812004-6650731\t08351985617154\tCustomerReturn\n';
    const socket = connect(hasty.port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8').on('data', (d: string) => (answer += d));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(
      `POST /feeds?feedType=${flatType} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key.secretKey}\r\n` +
        `Connection: close\r\nContent-Length: ${head.length + rest.length}\r\n\r\n${head}`,
    );
    // The pass may remove the body before a poll of the folder ever sees it: its log line says it did.
    await hasty.process.waitFor((e) => e['action'] === 'removed-leftover' && /\.upload-/.test(String(e['file'])));
    expect(uploadBodiesOf(hasty, merchant)).toEqual([]);
    socket.write(rest); // not end(): Node's HTTP server closes a half-closed connection before an async answer
    await closed;
    const [, status] = /^HTTP\/1\.1 (\d{3})/.exec(answer) ?? [];
    const error = (JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: Record<string, string> }).error;
    expect([status, error['code'], error['feedprocCode']]).toEqual(['503', 'ServiceUnavailable', 'UPLOAD_BODY_LOST']);
    expect(error['message']).toContain('send it again');
    const feeds = await runCli(['feeds', '--format', 'json'], { env: hasty.env });
    expect([feeds.code, JSON.parse(feeds.stdout)]).toEqual([0, []]);
  }, 120_000);
});
