/**
 * Limits at the HTTP doors, over real sockets: oversized headers and query strings are refused by Node before any
 * route runs (and the server goes on answering), and an exactly replayed SubmitFeed — valid for its 15 minutes,
 * as on MWS — is recorded as a duplicate of the first and applies nothing.
 */
import { connect } from 'node:net';
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
import { startServe, type ServeProcess } from '../helpers/serve.js';

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
