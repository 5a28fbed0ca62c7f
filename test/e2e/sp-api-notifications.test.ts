/**
 * FEED_PROCESSING_FINISHED against a real HTTP receiver in the test: the body validates against Amazon's
 * notification schema and carries a valid HMAC-SHA256 signature; while the receiver is down feedproc keeps
 * retrying, and after feedproc itself is restarted the notification still arrives, with the same NotificationId.
 * A receiver that answers 500 gets the notification again, signed, with the same NotificationId.
 * Feeds ended by no worker are announced too: a reservation the recovery pass cancels (CANCELLED), and a reserved
 * feed the watcher finishes as rejected when it gives its file up (FATAL).
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { availability, listingsFeed, update } from '../helpers/listings.js';
import { addDestination, notificationSchema as schema, Receiver, signatureOf } from '../helpers/receiver.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { feedsApi, sendFeed, waitEnded, type LwaKey } from '../helpers/sp-api.js';
import { startLongRunning, type WatchProcess } from '../helpers/watcher.js';

const MERCHANT = 'A3NOTIFY7SELLER';

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
    const destination = await addDestination(serve.env, MERCHANT, `http://127.0.0.1:${receiver.port}/hook`);
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
    expect(delivered.signature).toBe(signatureOf(destination.secret, delivered.body));

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
    expect(late.signature).toBe(signatureOf(destination.secret, late.body));
    // Any repeat of a notification carries the id of the first.
    for (const r of receiver.received)
      expect(r.json.notificationMetadata.notificationId).toBe(
        r.json.payload.feedProcessingFinishedNotification.feedId === first.feedId
          ? delivered.json.notificationMetadata.notificationId
          : late.json.notificationMetadata.notificationId,
      );
  }, 180_000);
});

describe('FEED_PROCESSING_FINISHED for a feed the recovery pass cancels', () => {
  const seller = 'A6RECOVER1SELLER';
  const hook = new Receiver();
  let crashing: ServeProcess;
  let recovering: WatchProcess | null = null;
  beforeAll(async () => {
    crashing = await startServe({ FEEDPROC_FAULT: 'exit-after-reserve', FEEDPROC_NOTIFY_RETRY_MS: '200' });
    await hook.up();
  }, 60_000);
  afterAll(async () => {
    if (recovering && recovering.child.exitCode === null) {
      recovering.child.kill('SIGTERM');
      await recovering.exited;
    }
    await hook.down();
    await crashing.stop();
  });

  it('announces the cancellation (97043) of a createFeed whose server died after reserving its id', async () => {
    const key = (await crashing.createKey(seller)) as unknown as LwaKey;
    const destination = await addDestination(crashing.env, seller, hook.url);
    const { api } = await feedsApi(crashing.base, key);
    const body = listingsFeed(seller, [update(1, 'LOST-1', { fulfillment_availability: availability(3) })]);
    // The server kills itself inside createFeed, after the feed's id was reserved (`_SUBMITTED_`): no answer.
    await expect(sendFeed(api, 'JSON_LISTINGS_FEED', 'application/json', body)).rejects.toThrow();
    expect(await crashing.process.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const listed = await runCli(['feeds', '--format', 'json'], { env: crashing.env });
    const [reserved] = JSON.parse(listed.stdout) as Array<{ feedSubmissionId: string; feedProcessingStatus: string }>;
    expect(reserved?.feedProcessingStatus).toBe('_SUBMITTED_');
    const feedId = reserved?.feedSubmissionId ?? '';

    // Started again, its recovery pass cancels the reservation at once; its deliverer announces it.
    recovering = startLongRunning(['serve'], {
      ...crashing.env,
      FEEDPROC_FAULT: '',
      FEEDPROC_RECOVERY_INTERVAL_MS: '300',
      FEEDPROC_RECOVERY_AGE_MS: '0',
    });
    await recovering.waitFor((e) => e['event'] === 'recovery' && e['feedId'] === feedId);
    const delivered = await hook.waitFor(feedId);
    expect([schema(delivered.json), schema.errors ?? null]).toEqual([true, null]);
    expect(delivered.json.payload.feedProcessingFinishedNotification).toEqual({
      sellerId: seller,
      accountId: expect.any(String),
      feedId,
      feedType: 'JSON_LISTINGS_FEED',
      processingStatus: 'CANCELLED',
    });
    expect(delivered.signature).toBe(signatureOf(destination.secret, delivered.body));
    const report = await runCli(['report', feedId, '--format', 'json'], { env: crashing.env });
    expect((JSON.parse(report.stdout) as { results: Array<{ resultMessageCode: number }> }).results).toEqual([
      expect.objectContaining({ resultMessageCode: 97043 }),
    ]);
  }, 120_000);
});

describe('FEED_PROCESSING_FINISHED for a feed whose file the watcher gives up', () => {
  const seller = 'A7GIVENUP1SELLER';
  const hook = new Receiver();
  let serving: ServeProcess;
  beforeAll(async () => {
    // A long enough window to swap the claimed file before its lane reads it; one failure is enough to give up.
    serving = await startServe({
      FEEDPROC_WATCH_STABLE_MS: '3000',
      FEEDPROC_WATCH_RETRY_MS: '50',
      FEEDPROC_FILE_ATTEMPTS: '1',
      FEEDPROC_NOTIFY_RETRY_MS: '200',
    });
    await hook.up();
  }, 60_000);
  afterAll(async () => {
    await hook.down();
    await serving.stop();
  });

  it('announces the reserved feed it finishes as rejected (FATAL)', async () => {
    const key = (await serving.createKey(seller)) as unknown as LwaKey;
    const destination = await addDestination(serving.env, seller, hook.url);
    const { api } = await feedsApi(serving.base, key);
    const body = listingsFeed(seller, [update(1, 'GONE-1', { fulfillment_availability: availability(3) })]);
    const { feedId } = await sendFeed(api, 'JSON_LISTINGS_FEED', 'application/json', body);
    // The claimed file becomes a folder while it waits: reading it fails, and the watcher gives the file up.
    const lane = join(serving.feedsDir, 'processing', seller);
    const [name] = readdirSync(lane).filter((n) => !n.startsWith('.'));
    rmSync(join(lane, name ?? ''));
    mkdirSync(join(lane, name ?? ''));
    expect((await waitEnded(api, feedId)).processingStatus).toBe('FATAL');
    const delivered = await hook.waitFor(feedId);
    expect([schema(delivered.json), schema.errors ?? null]).toEqual([true, null]);
    expect(delivered.json.payload.feedProcessingFinishedNotification).toMatchObject({
      feedId,
      processingStatus: 'FATAL',
      resultFeedDocumentId: expect.any(String),
    });
    expect(delivered.signature).toBe(signatureOf(destination.secret, delivered.body));
  }, 120_000);
});

describe('FEED_PROCESSING_FINISHED to a receiver that fails once', () => {
  const seller = 'A8FAILING1SELLER';
  const flaky = new Receiver(1); // 500 to the first delivery, 204 after
  let serving: ServeProcess;
  beforeAll(async () => {
    serving = await startServe({ FEEDPROC_NOTIFY_RETRY_MS: '200' });
    await flaky.up();
  }, 60_000);
  afterAll(async () => {
    await flaky.down();
    await serving.stop();
  });

  it('delivers again after a 500: two deliveries, one notificationId, each signed', async () => {
    const key = (await serving.createKey(seller)) as unknown as LwaKey;
    const destination = await addDestination(serving.env, seller, flaky.url);
    const { api } = await feedsApi(serving.base, key);
    const body = listingsFeed(seller, [update(1, 'FLAKY-1', { fulfillment_availability: availability(1) })]);
    const { feedId } = await sendFeed(api, 'JSON_LISTINGS_FEED', 'application/json', body);
    await flaky.waitFor(feedId);
    const deliveries = flaky.of(feedId);
    expect(deliveries.map((d) => d.answered)).toEqual([500, 204]);
    const [first, second] = deliveries;
    expect(second?.json.notificationMetadata.notificationId).toBe(first?.json.notificationMetadata.notificationId);
    for (const delivery of deliveries) {
      expect([schema(delivery.json), schema.errors ?? null]).toEqual([true, null]);
      expect(delivery.signature).toBe(signatureOf(destination.secret, delivery.body));
    }
  }, 60_000);
});
