/**
 * Hostile input at the SP-API door, against a real `feedproc serve`: oversized, empty and malformed documents,
 * uploads to forged and expired URLs, a document reused for a second feed, and JSON with 10^6 messages or 200
 * levels of nesting. Each is refused with a clear answer or a FATAL result saying why; nothing crashes, nothing
 * reaches the ledger.
 */
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { feedsApi, resultText, sendFeed, waitEnded, type LwaKey } from '../helpers/sp-api.js';
import type { FeedsApi } from '@sp-api-sdk/feeds-api-2021-06-30';
import { sleep } from '../helpers/wait.js';

const MERCHANT = 'A4HOSTILE2SELLER';
const LIMIT = 8 * 1024 * 1024;
const URL_SECONDS = 4;
const header = `"header":{"sellerId":"${MERCHANT}","version":"2.0","issueLocale":"en_US"}`;

let serve: ServeProcess;
let api: FeedsApi;

beforeAll(async () => {
  serve = await startServe({
    FEEDPROC_MAX_FEED_BYTES: String(LIMIT),
    FEEDPROC_SPAPI_URL_SECONDS: String(URL_SECONDS),
    FEEDPROC_THROTTLE_SCALE: '0.001',
  });
  api = (await feedsApi(serve.base, (await serve.createKey(MERCHANT)) as unknown as LwaKey)).api;
}, 60_000);
afterAll(() => serve.stop());

async function put(url: string, body: string | Buffer, contentType = 'application/json') {
  const answer = await fetch(url, { method: 'PUT', headers: { 'content-type': contentType }, body });
  return { status: answer.status, body: (await answer.json().catch(() => null)) as unknown };
}

/** Sends only the request's head (no body) and returns everything answered until the server closes. */
function rawAnswer(head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(serve.port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (answer += d));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer in 10 s: ${answer}`)));
    socket.write(head);
  });
}

const fatalText = async (feedId: string): Promise<string> => {
  const ended = await waitEnded(api, feedId, 240_000);
  expect(ended.processingStatus).toBe('FATAL');
  return (await resultText(api, ended.resultFeedDocumentId as string)).text;
};

describe('the SP-API door under hostile input', () => {
  it('refuses an oversized upload with a 413 the client reads, whether declared or chunked, storing nothing', async () => {
    const doc = (await api.createFeedDocument({ body: { contentType: 'application/json' } })).data;
    const refused = {
      errors: [expect.objectContaining({ code: 'RequestEntityTooLarge', details: 'HTTP_BODY_TOO_LARGE' })],
    };
    // With a Content-Length: fetch sends the whole body before it reads the answer.
    const declared = await put(doc.url, Buffer.alloc(LIMIT + 1024 * 1024, 0x20));
    expect(declared).toEqual({ status: 413, body: refused });
    // Chunked, 1 MiB at a time, 4 MiB past the limit: the server stops storing at the limit and reads the rest.
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent * chunk.length > LIMIT + 4 * chunk.length) return controller.close();
        sent += 1;
        controller.enqueue(chunk);
      },
    });
    const chunked = await fetch(doc.url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect({ status: chunked.status, body: await chunked.json() }).toEqual({ status: 413, body: refused });
    // Nothing of either upload was kept.
    const folder = join(serve.feedsDir, '.sp-api-documents', MERCHANT);
    expect((existsSync(folder) ? readdirSync(folder) : []).filter((n) => n.includes(doc.feedDocumentId))).toEqual([]);
    // The document can still be filled within the limit.
    expect((await put(doc.url, `{${header},"messages":[]}`)).status).toBe(200);
  }, 60_000);

  it('refuses at once, before the body is sent, a declared size past the limit and the drain allowance', async () => {
    const doc = (await api.createFeedDocument({ body: { contentType: 'application/json' } })).data;
    const url = new URL(doc.url);
    const head = (extra: string): string =>
      `PUT ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${LIMIT + 64 * 1024 * 1024}\r\n${extra}\r\n`;
    for (const extra of ['', 'Expect: 100-continue\r\n']) {
      const answer = await rawAnswer(head(extra));
      expect(answer).toMatch(/^HTTP\/1\.1 413 /); // no "100 Continue" first
      expect(answer).toMatch(/connection: close/i);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
        errors: [expect.objectContaining({ code: 'RequestEntityTooLarge' })],
      });
    }
  });

  it('refuses an empty upload or one of another type with 400; a document never filled makes a FATAL feed', async () => {
    const doc = (await api.createFeedDocument({ body: { contentType: 'application/json' } })).data;
    expect((await put(doc.url, '')).status).toBe(400);
    expect((await put(doc.url, '{}', 'text/xml')).status).toBe(400); // not the declared content type
    const never = await api.createFeed({
      body: {
        feedType: 'JSON_LISTINGS_FEED',
        marketplaceIds: ['A1C3SOZRARQ6R3'],
        inputFeedDocumentId: doc.feedDocumentId,
      },
    });
    expect(await fatalText(never.data.feedId)).toContain('holds no uploaded content');
  }, 60_000);

  it('refuses a forged and an expired URL with 403', async () => {
    const doc = (await api.createFeedDocument({ body: { contentType: 'application/json' } })).data;
    const forged = doc.url.replace(/signature=([0-9a-f])/, (_, c: string) => `signature=${c === '0' ? '1' : '0'}`);
    expect((await put(forged, '{}')).status).toBe(403);
    const otherDoc = doc.url.replace(/doc\.[0-9a-f]/, 'doc.0');
    expect((await put(otherDoc, '{}')).status).toBe(403);
    const expires = Number(new URL(doc.url).searchParams.get('expires'));
    while (Date.now() <= (expires + 1) * 1000) await sleep(250); // until it has expired
    const late = await put(doc.url, '{}');
    expect(late.status).toBe(403);
    expect(late.body).toEqual({ errors: [expect.objectContaining({ message: expect.stringContaining('expired') })] });
  }, 60_000);

  it('refuses a document id reused for a second feed', async () => {
    const body = `{${header},"messages":[{"messageId":1,"sku":"ONCE","operationType":"DELETE","productType":"PRODUCT"}]}`;
    const sent = await sendFeed(api, 'JSON_LISTINGS_FEED', 'application/json', body);
    const again = await api
      .createFeed({
        body: {
          feedType: 'JSON_LISTINGS_FEED',
          marketplaceIds: ['A1C3SOZRARQ6R3'],
          inputFeedDocumentId: sent.feedDocumentId,
        },
      })
      .then(
        () => null,
        (err: { response?: { status: number; data: unknown } }) => err.response,
      );
    expect(again?.status).toBe(400);
    expect(again?.data).toEqual({
      errors: [expect.objectContaining({ code: 'InvalidInput', message: expect.stringContaining('already used') })],
    });
    expect((await put(sent.url, body)).status).toBe(400); // nor can its content be replaced
    expect((await waitEnded(api, sent.feedId)).processingStatus).toBe('DONE');
  }, 60_000);

  it('answers FATAL for malformed XML and JSON documents', async () => {
    const xml = await sendFeed(api, 'POST_PAYMENT_ADJUSTMENT_DATA', 'text/xml', '<AmazonEnvelope><Header>');
    expect(await fatalText(xml.feedId)).toContain('XML Parsing Fatal Error');
    const json = await sendFeed(api, 'JSON_LISTINGS_FEED', 'application/json', `{${header},"messages":[{`);
    expect(await fatalText(json.feedId)).toContain('JSON Parsing Fatal Error');
  }, 120_000);

  it('answers FATAL for 200 levels of nesting and for 10^6 messages', async () => {
    const deep = `{${header},"messages":[{"messageId":1,"sku":"A","operationType":"UPDATE","productType":"X","attributes":{"x":${'['.repeat(200)}${']'.repeat(200)}}}]}`;
    const nested = await sendFeed(api, 'JSON_LISTINGS_FEED', 'application/json', deep);
    expect(await fatalText(nested.feedId)).toContain('nested deeper than 32 levels');

    const million = Buffer.from(`{${header},"messages":[${Array.from({ length: 1_000_000 }, () => '{}').join(',')}]}`);
    const many = await sendFeed(api, 'JSON_LISTINGS_FEED', 'application/json', million);
    expect(await fatalText(many.feedId)).toContain('more than 25,000 messages');
  }, 300_000);
});
