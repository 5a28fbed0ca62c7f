/** The Redis commands of the CLI as real processes: the JSON shapes of docs/reports.md and the failure modes. */
import { Redis } from 'ioredis';
import { runCli } from '../helpers/cli.js';
import { removePrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { freePort, startRedisServer } from '../helpers/redis-server.js';

const MERCHANT = 'A1KW3PLX9Q7ZT2';
const ORDER = '405-3812004-6650731';
const prefix = uniquePrefix();
const env = {
  ...process.env,
  FEEDPROC_REDIS_URL: testRedisUrl(),
  FEEDPROC_PREFIX: prefix,
  FEEDPROC_MERCHANT: MERCHANT,
};
const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(args, { env: { ...env, ...extra } });

afterAll(async () => {
  const redis = new Redis(testRedisUrl());
  await removePrefix(redis, prefix);
  await redis.quit();
});

describe('feedproc with Redis', () => {
  it("imports the sample order report, processes a feed and shows the ledger in the spec's JSON shapes", async () => {
    const imported = await cli(['orders', 'import', 'samples/order-report.txt']);
    expect(imported).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(
        /^samples\/order-report\.txt: 12 orders \(\d+ items, UTF-8\): 12 created, 0 updated, 0 unchanged\n$/,
      ),
    });
    expect((await cli(['orders', 'import', 'samples/order-report.txt'])).stdout).toMatch(
      /0 created, 0 updated, 12 unchanged/,
    );

    const processed = await cli([
      'process',
      'samples/xml-order-fulfillment-valid.xml',
      '--workers',
      '2',
      '--format',
      'json',
    ]);
    const report = JSON.parse(processed.stdout) as {
      feedSubmissionId: string;
      statusCode: string;
      summary: { messagesProcessed: number };
    };
    expect(report).toMatchObject({
      feedSubmissionId: '50001',
      statusCode: 'Complete',
      summary: { messagesProcessed: 6 },
    });

    const order = await cli(['order', ORDER, '--format', 'json']);
    expect(order.code).toBe(0);
    expect(JSON.parse(order.stdout)).toEqual({
      amazonOrderId: ORDER,
      merchantOrderId: null,
      merchantId: MERCHANT,
      status: 'Shipped',
      currency: 'PLN',
      purchaseDate: '2026-11-20T18:42:11+01:00',
      buyerCancellationRequested: false,
      items: expect.arrayContaining([
        {
          amazonOrderItemCode: '50317462185203',
          merchantOrderItemId: null,
          sku: 'KUBEK-350-NIEBIESKI',
          quantityOrdered: 3,
          quantityShipped: 3,
          quantityCancelled: 0,
          charged: {
            Principal: '89.97',
            Tax: '16.82',
            Shipping: '14.99',
            ShippingTax: '2.80',
            GiftWrap: '0.00',
            GiftWrapTax: '0.00',
          },
          refunded: {},
        },
      ]),
    });

    const feeds = JSON.parse((await cli(['feeds', '--format', 'json'])).stdout) as Array<Record<string, unknown>>;
    expect(feeds).toEqual([
      expect.objectContaining({
        feedSubmissionId: '50001',
        feedType: '_POST_ORDER_FULFILLMENT_DATA_',
        feedProcessingStatus: '_DONE_',
      }),
    ]);
    const stored = await cli(['report', '50001']);
    expect(stored.code).toBe(3); // message 4 names a MerchantOrderID no acknowledgement has mapped: 18028
    expect(stored.stdout).toContain('<DocumentTransactionID>50001</DocumentTransactionID>');
  });

  it("applies inventory feeds and shows a SKU in the spec's shape", async () => {
    const submitted = await cli(['submit', 'samples/xml-inventory-valid.xml']);
    expect(submitted).toMatchObject({ code: 0, stdout: expect.stringMatching(/^5000\d\n$/) });
    // the workers of `process` also take the feed queued by `submit`
    const processed = await cli(['process', 'samples/flat-price-quantity-valid.txt']);
    expect(processed.code).toBe(0);
    const waited = await cli(['report', submitted.stdout.trim(), '--format', 'json']);
    expect(JSON.parse(waited.stdout)).toMatchObject({
      statusCode: 'Complete',
      feedType: '_POST_INVENTORY_AVAILABILITY_DATA_',
    });
    // Only in the flat price & quantity file: a merge of its columns, DEFAULT channel = MFN.
    const flatOnly = await cli(['inventory', 'KUBEK-350-ZIELONY', '--format', 'json']);
    expect(JSON.parse(flatOnly.stdout)).toEqual({
      sku: 'KUBEK-350-ZIELONY',
      quantity: 16,
      available: null,
      fulfillmentLatency: 2,
      restockDate: null,
      fulfillmentChannel: 'MFN',
    });
    // Only in the XML inventory feed (queued by `submit`, applied by the workers of `process`).
    const xmlOnly = await cli(['inventory', 'TABLICA-KREDOWA-A3', '--format', 'json']);
    expect(JSON.parse(xmlOnly.stdout)).toEqual({
      sku: 'TABLICA-KREDOWA-A3',
      quantity: null,
      available: false,
      fulfillmentLatency: null,
      restockDate: '2027-01-10',
      fulfillmentChannel: 'MFN',
    });
  }, 120_000);

  it('stops at once with one line when Redis does not answer', async () => {
    const port = await freePort();
    const down = await cli(['orders', 'import', 'samples/order-report.txt'], {
      FEEDPROC_REDIS_URL: `redis://127.0.0.1:${port}`,
    });
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(
      new RegExp(`^feedproc: CLI_REDIS_UNAVAILABLE: Redis does not answer at redis://127\\.0\\.0\\.1:${port}: .*\\n$`),
    );
  });

  it('refuses to run workers on a Redis that may evict keys', async () => {
    const evicting = await startRedisServer();
    const admin = new Redis(evicting.url);
    try {
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
      const refused = await cli(['worker'], { FEEDPROC_REDIS_URL: evicting.url });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(
        /^feedproc: CLI_REDIS_EVICTION: Redis at redis:\/\/127\.0\.0\.1:\d+ has maxmemory-policy allkeys-lru; workers need noeviction/,
      );
    } finally {
      await admin.quit();
      await evicting.stop();
    }
  });

  it('asks for the merchant', async () => {
    const run = await cli(['order', ORDER], { FEEDPROC_MERCHANT: '' });
    expect(run).toMatchObject({
      code: 2,
      stderr: 'feedproc: CLI_USAGE: name the merchant with --merchant ID or FEEDPROC_MERCHANT\n',
    });
  });
});
