/**
 * Exactly once across a crash: a `feedproc worker` process is killed with SIGKILL while it applies a feed —
 * after some scripts ran and before their jobs were acknowledged. A second worker takes the stalled jobs over.
 * Every message must be applied exactly once: one cancellation per item, one event per cancellation.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ImportedOrder } from '../../src/parse/order-report.js';
import { loadFeed, loadReport } from '../../src/queue/feed-store.js';
import { submitFeed } from '../../src/queue/submit-feed.js';
import { CLI, REPO_ROOT } from '../helpers/cli.js';
import { openTestPipeline, type TestPipeline } from '../helpers/pipeline.js';
import { testRedisUrl } from '../helpers/redis.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { makeTempDir } from '../helpers/tmp.js';
import { sleep, until, waitUntil } from '../helpers/wait.js';

const MERCHANT = 'A1MERCHANT';
const ORDERS = 40_000;
const tmp = makeTempDir();
afterAll(() => tmp.cleanup());
const orderId = (o: number): string => `406-3000000-${String(o).padStart(7, '0')}`;
const itemCode = (o: number): string => `8${String(o).padStart(13, '0')}`;

function order(o: number): ImportedOrder {
  return {
    id: orderId(o),
    currency: 'PLN',
    purchaseDate: null,
    buyerEmail: null,
    buyerName: null,
    marketplace: null,
    buyerCancelRequested: false,
    itemOrder: [itemCode(o)],
    items: { [itemCode(o)]: { sku: `SKU-${o % 100}`, ordered: 1, charged: { Principal: '500' } } },
  };
}

function feed(): string {
  const messages: string[] = [];
  for (let o = 0; o < ORDERS; o += 1) {
    messages.push(
      `<Message><MessageID>${o + 1}</MessageID><OrderAdjustment><AmazonOrderID>${orderId(o)}</AmazonOrderID><AdjustedItem>` +
        `<AmazonOrderItemCode>${itemCode(o)}</AmazonOrderItemCode><AdjustmentReason>CustomerCancel</AdjustmentReason>` +
        `<ItemPriceAdjustments><Component><Type>Principal</Type><Amount>1.00</Amount></Component></ItemPriceAdjustments>` +
        `<QuantityCancelled>1</QuantityCancelled></AdjustedItem></OrderAdjustment></Message>\n`,
    );
  }
  return `<?xml version="1.0"?>\n<AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>${MERCHANT}</MerchantIdentifier></Header>\n<MessageType>OrderAdjustment</MessageType>\n${messages.join('')}</AmazonEnvelope>\n`;
}

function startWorker(prefix: string, redisUrl = testRedisUrl()): ChildProcess {
  const env = {
    ...process.env,
    FEEDPROC_REDIS_URL: redisUrl,
    FEEDPROC_PREFIX: prefix,
    FEEDPROC_MERCHANT: MERCHANT,
    FEEDPROC_JOB_LOCK_MS: '2000',
  };
  return spawn(process.execPath, [CLI, 'worker', '--concurrency', '2'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** Resolves once the worker says it runs (its workers are connected and wait for jobs). */
function workerReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
      if (/concurrent jobs on .*Ctrl-C to stop/.test(stderr)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the worker exited with ${code}: ${stderr}`)));
  });
}

const exited = (child: ChildProcess): Promise<unknown> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', resolve));

/** Imports the orders and writes the feed; returns its path. */
async function prepare(p: TestPipeline, name: string): Promise<string> {
  for (let o = 0; o < ORDERS; o += 2000) {
    await Promise.all(Array.from({ length: 2000 }, (_, k) => p.ledger.importOrder(order(o + k))));
  }
  return tmp.file(name, feed());
}

/** Submits and returns once some — not all — messages are applied. */
async function submitAndWaitForProgress(
  p: TestPipeline,
  path: string,
): Promise<{ feedId: string; appliedSoFar: number }> {
  const record = await submitFeed(p.deps, path, { merchantId: MERCHANT });
  const applied = p.ledger.keys.applied(record.feedSubmissionId);
  const appliedSoFar = await waitUntil(
    'a first message applied',
    async () => (await p.deps.redis.hlen(applied)) || undefined,
    60_000,
    2,
  );
  return { feedId: record.feedSubmissionId, appliedSoFar };
}

/** Waits for the feed to be done; every message must then have been applied exactly once. */
async function expectAppliedExactlyOnce(p: TestPipeline, feedId: string): Promise<void> {
  const prefix = p.deps.config.prefix;
  await until(
    async () => (await loadFeed(p.deps.redis, prefix, feedId))?.status === '_DONE_',
    'the feed done',
    120_000,
    100,
  );
  const report = await loadReport(p.deps.redis, prefix, feedId);
  expect(report?.summary).toEqual({
    messagesProcessed: ORDERS,
    messagesSuccessful: ORDERS,
    messagesWithError: 0,
    messagesWithWarning: 0,
  });
  expect(await p.deps.redis.xlen(p.ledger.keys.events())).toBe(ORDERS);
  for (const o of [0, 1, 17_777, ORDERS - 1]) {
    expect((await p.ledger.order(orderId(o)))?.items[itemCode(o)]).toMatchObject({
      cancelled: 1,
      refunded: { Principal: '100' },
    });
  }
}

describe('a worker killed with SIGKILL mid-feed', () => {
  let p: TestPipeline;
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await p.close();
  });

  it('leaves every message applied exactly once after another worker takes over', async () => {
    p = openTestPipeline(MERCHANT, 0);
    const path = await prepare(p, 'crash.xml');
    const first = startWorker(p.deps.config.prefix);
    children.push(first);
    await workerReady(first);
    const { feedId, appliedSoFar } = await submitAndWaitForProgress(p, path);
    first.kill('SIGKILL');
    await exited(first);
    expect(appliedSoFar).toBeLessThan(ORDERS); // really killed in the middle of the feed
    children.push(startWorker(p.deps.config.prefix));
    await expectAppliedExactlyOnce(p, feedId);
  }, 180_000);
});

describe('Redis restarted (AOF) while a worker applies a feed', () => {
  it('lets the worker reconnect and finish, every message applied exactly once', async () => {
    const dir = join(tmp.dir, 'redis');
    mkdirSync(dir);
    const server = await startRedisServer({ aof: true, dir });
    const p = openTestPipeline(MERCHANT, 0, server.url);
    const worker = startWorker(p.deps.config.prefix, server.url);
    try {
      const ready = workerReady(worker);
      const path = await prepare(p, 'restart.xml');
      await ready;
      const { feedId, appliedSoFar } = await submitAndWaitForProgress(p, path);
      await server.stop();
      expect(appliedSoFar).toBeLessThan(ORDERS);
      await sleep(500);
      const again = await startRedisServer({ aof: true, dir: server.dir, port: server.port });
      try {
        await expectAppliedExactlyOnce(p, feedId);
      } finally {
        worker.kill('SIGKILL');
        await exited(worker);
        await p.close();
        await again.stop();
      }
    } finally {
      worker.kill('SIGKILL');
    }
  }, 180_000);
});
