/**
 * FEED_PROCESSING_FINISHED against a real HTTP receiver in the test: the body validates against Amazon's
 * notification schema and carries a valid HMAC-SHA256 signature; while the receiver is down feedproc keeps
 * retrying, and after feedproc itself is restarted the notification still arrives, with the same NotificationId.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv } from 'ajv';
import { runCli } from '../helpers/cli.js';
import { availability, listingsFeed, SP_API_FIXTURES, update } from '../helpers/listings.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { feedsApi, sendFeed, waitEnded, type LwaKey } from '../helpers/sp-api.js';
import { startLongRunning, type WatchProcess } from '../helpers/watcher.js';
import { sleep } from '../helpers/wait.js';

const MERCHANT = 'A3NOTIFY7SELLER';

interface Received {
  body: string;
  signature: string;
  json: {
    payload: { feedProcessingFinishedNotification: { feedId: string; processingStatus: string } };
    notificationMetadata: { notificationId: string };
  };
}

/** A receiver that can be taken down and brought back on the same port. */
class Receiver {
  readonly received: Received[] = [];
  private server: Server | null = null;
  port = 0;

  async up(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.received.push({
          body,
          signature: String(request.headers['x-feedproc-signature']),
          json: JSON.parse(body) as Received['json'],
        });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((done) => this.server?.listen(this.port, '127.0.0.1', done));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    server?.closeAllConnections();
    await new Promise<void>((done) => server?.close(() => done()));
  }

  async waitFor(feedId: string, timeoutMs = 60_000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find((r) => r.json.payload.feedProcessingFinishedNotification.feedId === feedId);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no notification for feed ${feedId}`);
      await sleep(100);
    }
  }
}

const schema = new Ajv({ strict: false, allErrors: true }).compile(
  JSON.parse(readFileSync(`${SP_API_FIXTURES}FeedProcessingFinishedNotification.json`, 'utf8')) as object,
);

let serve: ServeProcess;
let restarted: WatchProcess | null = null;
const receiver = new Receiver();

beforeAll(async () => {
  serve = await startServe({ FEEDPROC_NOTIFY_RETRY_MS: '200', FEEDPROC_NOTIFY_LEASE_MS: '1000' });
  await receiver.up();
}, 60_000);
afterAll(async () => {
  if (restarted && restarted.child.exitCode === null) {
    restarted.child.kill('SIGTERM');
    await restarted.exited;
  }
  await receiver.down();
  await serve.stop();
});

describe('FEED_PROCESSING_FINISHED', () => {
  it('manages destinations through the JSON API, the secret shown only in the creation answer', async () => {
    const key = await serve.createKey('A3ROUTES9SELLER');
    const auth = { authorization: `Bearer ${key.secretKey}`, 'content-type': 'application/json' };
    const bad = await fetch(`${serve.base}/destinations`, { method: 'POST', headers: auth, body: '{"url":"ftp://x"}' });
    expect(bad.status).toBe(400);
    const made = await fetch(`${serve.base}/destinations`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ url: 'https://erp.example/hook' }),
    });
    expect(made.status).toBe(201);
    const created = (await made.json()) as { destinationId: string; secret: string };
    expect(created.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const listed = (await (await fetch(`${serve.base}/destinations`, { headers: auth })).json()) as unknown;
    expect(listed).toEqual({
      destinations: [
        { destinationId: created.destinationId, url: 'https://erp.example/hook', createdAt: expect.any(String) },
      ],
    });
    const removed = await fetch(`${serve.base}/destinations/${created.destinationId}`, {
      method: 'DELETE',
      headers: { authorization: auth.authorization },
    });
    expect(removed.status).toBe(204);
    const again = await fetch(`${serve.base}/destinations/${created.destinationId}`, {
      method: 'DELETE',
      headers: { authorization: auth.authorization },
    });
    expect(again.status).toBe(404);
  });

  it('is delivered signed and in Amazon shape, retried while the receiver is down, and survives a restart', async () => {
    const key = (await serve.createKey(MERCHANT)) as unknown as LwaKey;
    const added = await runCli(
      [
        'destinations',
        'add',
        '--merchant',
        MERCHANT,
        '--url',
        `http://127.0.0.1:${receiver.port}/hook`,
        '--format',
        'json',
      ],
      { env: serve.env },
    );
    expect([added.code, added.stderr]).toEqual([0, '']);
    const destination = JSON.parse(added.stdout) as { destinationId: string; secret: string };
    const { api } = await feedsApi(serve.base, key);

    const first = await sendFeed(
      api,
      'JSON_LISTINGS_FEED',
      'application/json',
      listingsFeed(MERCHANT, [update(1, 'HOOK-1', { fulfillment_availability: availability(2) })]),
    );
    expect((await waitEnded(api, first.feedId)).processingStatus).toBe('DONE');
    const delivered = await receiver.waitFor(first.feedId);
    expect([schema(delivered.json), schema.errors ?? null]).toEqual([true, null]);
    expect(delivered.json).toMatchObject({
      notificationType: 'FEED_PROCESSING_FINISHED',
      payload: {
        feedProcessingFinishedNotification: {
          sellerId: MERCHANT,
          feedId: first.feedId,
          feedType: 'JSON_LISTINGS_FEED',
          processingStatus: 'DONE',
          resultFeedDocumentId: expect.any(String),
        },
      },
      notificationMetadata: { subscriptionId: destination.destinationId },
    });
    const expected = createHmac('sha256', destination.secret).update(delivered.body).digest('hex');
    expect(delivered.signature).toBe(`sha256=${expected}`);

    // The receiver goes down; a retired-type feed ends FATAL meanwhile and its notification is retried.
    await receiver.down();
    const second = await sendFeed(
      api,
      'POST_FLAT_FILE_INVLOADER_DATA',
      'text/tab-separated-values',
      'sku\tquantity\nA\t1\n',
    );
    expect((await waitEnded(api, second.feedId)).processingStatus).toBe('FATAL');
    const retry = await serve.process.waitFor(
      (e) => e['event'] === 'feed-finished' && e['feedId'] === second.feedId && e['result'] === 'retry',
    );

    // feedproc restarts while the receiver is still down; the receiver comes back later.
    serve.process.child.kill('SIGTERM');
    await serve.process.exited;
    restarted = startLongRunning(['serve'], serve.env);
    await restarted.waitFor((e) => e['event'] === 'listening');
    await receiver.up();
    const late = await receiver.waitFor(second.feedId);
    expect([schema(late.json), schema.errors ?? null]).toEqual([true, null]);
    expect(late.json.payload.feedProcessingFinishedNotification.processingStatus).toBe('FATAL');
    expect(late.json.notificationMetadata.notificationId).toBe(retry['notificationId']);
    expect(late.signature).toBe(`sha256=${createHmac('sha256', destination.secret).update(late.body).digest('hex')}`);
    // Any repeat of a notification carries the id of the first.
    for (const r of receiver.received)
      expect(r.json.notificationMetadata.notificationId).toBe(
        r.json.payload.feedProcessingFinishedNotification.feedId === first.feedId
          ? delivered.json.notificationMetadata.notificationId
          : late.json.notificationMetadata.notificationId,
      );
  }, 180_000);
});
