/**
 * `feedproc watch` surviving what happens to real processes: SIGKILL mid-feed, Redis away at start-up,
 * SIGTERM under load. The ledger is checked afterwards: every message applied exactly once.
 */
import { existsSync, readdirSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createLedger } from '../../src/apply/ledger.js';
import { withLedgerScripts } from '../../src/apply/scripts.js';
import { xmlFeed } from '../helpers/feeds.js';
import { removePrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { freePort, startRedisServer } from '../helpers/redis-server.js';
import { makeTempDir } from '../helpers/tmp.js';
import { merchantInbox, startWatch, type WatchProcess } from '../helpers/watcher.js';
import { sleep } from '../helpers/wait.js';

const MERCHANT = 'A1MERCHANT';
const orderId = (n: number) => `402-5550000-${String(n).padStart(7, '0')}`;
const itemCode = (n: number) => String(70000000000000 + n);

/** `perOrder` refunds of 1.00 for each of `orders` orders, interleaved, as one adjustment feed. */
function refundsFeed(orders: number, perOrder: number): string {
  const messages: string[] = [];
  for (let round = 0; round < perOrder; round += 1) {
    for (let n = 1; n <= orders; n += 1) {
      messages.push(
        `<Message><MessageID>${messages.length + 1}</MessageID><OrderAdjustment><AmazonOrderID>${orderId(n)}</AmazonOrderID><AdjustedItem>` +
          `<AmazonOrderItemCode>${itemCode(n)}</AmazonOrderItemCode><AdjustmentReason>PriceError</AdjustmentReason><ItemPriceAdjustments>` +
          `<Component><Type>Principal</Type><Amount currency="PLN">1.00</Amount></Component></ItemPriceAdjustments></AdjustedItem></OrderAdjustment></Message>\n`,
      );
    }
  }
  return xmlFeed('OrderAdjustment', messages.join(''));
}

async function importOrders(url: string, prefix: string, orders: number): Promise<void> {
  const redis = withLedgerScripts(new Redis(url));
  const ledger = createLedger(redis, prefix, MERCHANT);
  for (let n = 1; n <= orders; n += 1) {
    await ledger.importOrder({
      id: orderId(n),
      currency: 'PLN',
      purchaseDate: '2026-11-20T10:00:00Z',
      buyerEmail: null,
      buyerName: null,
      marketplace: 'Amazon.pl',
      buyerCancelRequested: false,
      itemOrder: [itemCode(n)],
      items: { [itemCode(n)]: { sku: `SKU-${n}`, ordered: 1, charged: { Principal: '10000' } } },
    });
  }
  await redis.quit();
}

async function refundedPerOrder(url: string, prefix: string, orders: number): Promise<Map<string, number>> {
  const redis = withLedgerScripts(new Redis(url));
  const ledger = createLedger(redis, prefix, MERCHANT);
  const counts = new Map<string, number>();
  for (let n = 1; n <= orders; n += 1) {
    const refunded = (await ledger.order(orderId(n)))?.items[itemCode(n)]?.refunded['Principal'] ?? '0';
    counts.set(refunded, (counts.get(refunded) ?? 0) + 1);
  }
  await redis.quit();
  return counts;
}

async function dropFile(inbox: string, name: string, content: string): Promise<void> {
  await writeFile(join(inbox, `.${name}.tmp`), content);
  await rename(join(inbox, `.${name}.tmp`), join(inbox, name));
}

describe('feedproc watch under faults', () => {
  const tmp = makeTempDir('feedproc-watch-faults-');
  const prefix = uniquePrefix();
  /** A drop folder and key prefix of the scenario's own, on the test Redis unless another URL is given. */
  const used: string[] = [];
  const scenario = (name: string, redisUrl = testRedisUrl()) => (
    used.push(`${prefix}-${name}`),
    {
      feeds: join(tmp.dir, name),
      keyPrefix: `${prefix}-${name}`,
      env: {
        ...process.env,
        FEEDPROC_REDIS_URL: redisUrl,
        FEEDPROC_PREFIX: `${prefix}-${name}`,
        FEEDPROC_FEEDS_DIR: join(tmp.dir, name),
        FEEDPROC_JOB_LOCK_MS: '2000',
      },
    }
  );
  const running: WatchProcess[] = [];
  const start = (env: NodeJS.ProcessEnv): WatchProcess => {
    const w = startWatch(env);
    running.push(w);
    return w;
  };
  afterEach(async () => {
    for (const w of running.splice(0)) {
      if (w.child.exitCode === null && w.child.signalCode === null) {
        w.child.kill('SIGKILL');
        await w.exited;
      }
    }
  });
  afterAll(async () => {
    const redis = new Redis(testRedisUrl());
    for (const keyPrefix of used) await removePrefix(redis, keyPrefix); // each scenario's keys, also left behind before
    await redis.quit();
    tmp.cleanup();
  });

  it('applies every message exactly once when the watcher is killed with SIGKILL mid-feed and restarted', async () => {
    const { feeds, keyPrefix, env } = scenario('killed');
    const orders = 2000;
    await importOrders(testRedisUrl(), keyPrefix, orders);
    const inbox = merchantInbox(feeds, MERCHANT);
    const first = start(env);
    await first.waitFor((e) => e['event'] === 'watching');
    await dropFile(inbox, 'refunds.xml', refundsFeed(orders, 10));
    const redis = new Redis(testRedisUrl());
    const applied = `${keyPrefix}:{m:${MERCHANT}}:applied:50001`;
    for (let i = 0; i < 600 && (await redis.hlen(applied)) < 2000; i += 1) await sleep(25);
    const before = await redis.hlen(applied);
    first.child.kill('SIGKILL');
    await first.exited;
    await redis.quit();
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(orders * 10); // killed mid-feed
    expect(readdirSync(join(feeds, 'processing', MERCHANT))).toContain('refunds.xml');

    const second = start(env);
    const done = await second.waitFor((e) => e['event'] === 'feed', 120_000);
    expect(done).toMatchObject({
      file: 'refunds.xml',
      feedSubmissionId: '50001',
      status: 'Complete',
      messagesProcessed: 20000,
      messagesSuccessful: 20000,
    });
    expect(await refundedPerOrder(testRedisUrl(), keyPrefix, orders)).toEqual(new Map([['1000', orders]]));
    expect(readdirSync(join(feeds, 'done', MERCHANT))).toEqual(['refunds.xml']);
    expect(readdirSync(join(feeds, 'processing', MERCHANT))).toEqual([]);
    expect(readdirSync(join(feeds, 'reports'))).toEqual(['refunds.xml.50001.report.xml']);
  }, 180_000);

  it('leaves files untouched while Redis is down at start-up, and processes them once it is back', async () => {
    const port = await freePort();
    const { feeds, env } = scenario('no-redis', `redis://127.0.0.1:${port}`);
    const inbox = merchantInbox(feeds, MERCHANT);
    await dropFile(inbox, 'stock.txt', 'sku\tquantity\nKUBEK\t5\n');
    const w = start(env);
    await w.waitFor((e) => e['event'] === 'redis-unavailable');
    await sleep(1500);
    expect(readdirSync(inbox)).toEqual(['stock.txt']);
    expect(existsSync(join(feeds, 'processing'))).toBe(false);
    const server = await startRedisServer({ port });
    try {
      expect(await w.waitFor((e) => e['event'] === 'feed', 30_000)).toMatchObject({
        file: 'stock.txt',
        status: 'Complete',
        messagesProcessed: 1,
      });
      expect(readdirSync(inbox)).toEqual([]);
    } finally {
      w.child.kill('SIGKILL');
      await w.exited;
      await server.stop();
    }
  }, 60_000);

  it('exits 0 within 10 s of SIGTERM under load, and a restart finishes every file exactly once', async () => {
    const { feeds, keyPrefix, env } = scenario('sigterm');
    const orders = 500;
    await importOrders(testRedisUrl(), keyPrefix, orders);
    const inbox = merchantInbox(feeds, MERCHANT);
    for (let i = 1; i <= 6; i += 1)
      await dropFile(inbox, `refunds-${i}.xml`, `${refundsFeed(orders, 2)}<!-- file ${i} -->\n`);
    const first = start(env);
    await first.waitFor((e) => e['event'] === 'feed', 60_000);
    const signalled = Date.now();
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(10_000);

    const second = start(env);
    await second.waitFor(
      // A file moves to done/ just after its report is written: wait for both.
      () =>
        readdirSync(join(feeds, 'reports')).filter((n) => !n.startsWith('.')).length === 6 &&
        readdirSync(join(feeds, 'done', MERCHANT)).length === 6,
      120_000,
    );
    expect(readdirSync(join(feeds, 'done', MERCHANT)).sort()).toEqual(
      Array.from({ length: 6 }, (_, i) => `refunds-${i + 1}.xml`),
    );
    expect(await refundedPerOrder(testRedisUrl(), keyPrefix, orders)).toEqual(new Map([['1200', orders]]));
  }, 180_000);
});
