/**
 * JSON_LISTINGS_FEED through the built CLI and the test redis-server: `validate`, `process`, `submit` + `worker`,
 * `report` and `inventory` as real processes. Quantities, lead times, restock dates and prices land in the SKU's
 * stock record; UPDATE replaces, PARTIAL_UPDATE merges attributes, PATCH patches them, DELETE removes the record;
 * attributes feedproc does not keep are warnings, invalid messages errors, a foreign sellerId rejects the feed;
 * nothing is applied twice. Every report is checked against Amazon's processing-report schema, and every feed
 * meant to be valid against Amazon's feed schema.
 */
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { CLI, REPO_ROOT, runCli } from '../helpers/cli.js';
import {
  amazonExampleFeed,
  amazonFeedSchema,
  amazonReportSchema,
  availability,
  listingsFeed,
  offer,
  patch,
  remove,
  update,
  type ListingsReport,
} from '../helpers/listings.js';
import { removePrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { makeTempDir } from '../helpers/tmp.js';
import { until } from '../helpers/wait.js';

const MERCHANT = 'A2LISTINGS7QZ';
const prefix = uniquePrefix();
const env = {
  ...process.env,
  FEEDPROC_REDIS_URL: testRedisUrl(),
  FEEDPROC_PREFIX: prefix,
  FEEDPROC_MERCHANT: MERCHANT,
};
const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(args, { env: { ...env, ...extra } });
const tmp = makeTempDir('feedproc-listings-');
const feedSchema = amazonFeedSchema();
const reportSchema = amazonReportSchema();

afterAll(async () => {
  const redis = new Redis(testRedisUrl());
  await removePrefix(redis, prefix);
  await redis.quit();
  tmp.cleanup();
});

/** Writes the feed, checks it against Amazon's own schema when it is meant to be valid there. */
function feedFile(name: string, content: string, amazonValid = true): string {
  if (amazonValid)
    expect([name, feedSchema(JSON.parse(content)), feedSchema.errors ?? null]).toEqual([name, true, null]);
  return tmp.file(name, content);
}

/** The listings report printed by a command, checked against Amazon's processing-report schema. */
function listingsReport(stdout: string): ListingsReport {
  const report = JSON.parse(stdout) as ListingsReport;
  expect([reportSchema(report), reportSchema.errors ?? null]).toEqual([true, null]);
  return report;
}

async function inventory(sku: string): Promise<Record<string, unknown> | null> {
  const shown = await cli(['inventory', sku, '--format', 'json']);
  if (shown.code === 6 && /has no inventory record/.test(shown.stderr)) return null;
  expect(shown).toMatchObject({ code: 0 });
  return JSON.parse(shown.stdout) as Record<string, unknown>;
}

describe('JSON_LISTINGS_FEED', () => {
  it("accepts Amazon's own example feed (sellerId adapted) and answers in Amazon's report shape, or as text or JSON", async () => {
    const file = feedFile('amazon-example.json', amazonExampleFeed(MERCHANT));
    const validated = await cli(['validate', file]);
    expect(validated.code).toBe(0);
    const report = listingsReport(validated.stdout);
    expect(report.header).toEqual({ sellerId: MERCHANT, version: '2.0', feedId: '' });
    expect(report.summary).toEqual({
      errors: 0,
      warnings: 3,
      messagesProcessed: 5,
      messagesAccepted: 5,
      messagesInvalid: 0,
    });
    // header.report asks for listings items, which feedproc's report does not carry; message 3 names an attribute
    // feedproc does not keep and an Amazon-fulfilled channel.
    expect(report.issues.map((i) => [i.messageId ?? null, i.code, i.severity, i.attributeName ?? null])).toEqual([
      [null, '97202', 'WARNING', null],
      [3, '97201', 'WARNING', 'item_name'],
      [3, '97201', 'WARNING', 'fulfillment_availability'],
    ]);
    expect(report.issues[2]?.message).toMatch(
      /fulfillment_availability \(channel AMAZON_NA\) was accepted but is not kept/,
    );

    const text = await cli(['validate', '--format', 'text', file]);
    expect(text.stdout.split('\n')[0]).toBe(
      'amazon-example.json: JSON_LISTINGS_FEED (json, UTF-8): Complete: 5 messages: 5 successful, 0 with errors, 1 with warnings',
    );
    expect(text.stdout).toMatch(/^amazon-example\.json:47:22: Warning 97201 \(message 3\): .*item_name/m);
    const json = JSON.parse((await cli(['validate', '--format', 'json', file])).stdout) as {
      format: string;
      feedType: string;
      results: Array<Record<string, unknown>>;
    };
    expect(json).toMatchObject({ format: 'json', feedType: 'JSON_LISTINGS_FEED', merchantId: MERCHANT });
    expect(json.results[1]).toMatchObject({ messageId: 3, attributeName: 'item_name', line: 47, column: 22 });
  });

  it('applies quantities, lead times, restock dates and prices; PARTIAL_UPDATE merges, PATCH patches, DELETE removes', async () => {
    const first = feedFile(
      'first.json',
      listingsFeed(MERCHANT, [
        update(1, 'MUG', {
          fulfillment_availability: availability(12, { lead_time_to_ship_max_days: 3, restock_date: '2026-03-01' }),
          purchasable_offer: [offer('USD', 19.99, { marketplace_id: 'ATVPDKIKX0DER' }), offer('EUR', 17.5)],
          item_name: [{ value: 'Stoneware mug', language_tag: 'en_US' }],
        }),
        update(2, 'BOWL', { fulfillment_availability: availability(4), purchasable_offer: [offer('USD', 9)] }),
        update(3, 'PLATE', { fulfillment_availability: availability(1) }),
        update(4, 'CUP', { fulfillment_availability: [{ fulfillment_channel_code: 'DEFAULT', quantity: 'many' }] }),
      ]),
      false, // message 4 is invalid on purpose (Amazon's schema leaves attributes open, feedproc's does not)
    );
    const processed = await cli(['process', first]);
    expect(processed.code).toBe(3);
    const report = listingsReport(processed.stdout);
    expect(report.summary).toEqual({
      errors: 1,
      warnings: 1,
      messagesProcessed: 4,
      messagesAccepted: 3,
      messagesInvalid: 1,
    });
    expect(report.issues).toEqual([
      {
        messageId: 1,
        sku: 'MUG',
        code: '97201',
        severity: 'WARNING',
        message: expect.stringMatching(/item_name was accepted but is not kept/),
        attributeName: 'item_name',
      },
      {
        messageId: 4,
        sku: 'CUP',
        code: '5000',
        severity: 'ERROR',
        message: expect.stringMatching(/attributes\.fulfillment_availability\[0\]\.quantity must be a whole number/),
        attributeName: 'fulfillment_availability',
      },
    ]);
    expect(await inventory('MUG')).toEqual({
      sku: 'MUG',
      quantity: 12,
      available: null,
      fulfillmentLatency: 3,
      restockDate: '2026-03-01',
      fulfillmentChannel: 'MFN',
      prices: { EUR: '17.50', USD: '19.99' },
    });
    expect(await inventory('CUP')).toBeNull();
    const text = await cli(['inventory', 'MUG']);
    expect(text.stdout).toMatch(/^quantity: 12$/m);
    expect(text.stdout).toMatch(/^prices: EUR 17\.50, USD 19\.99$/m);

    const second = feedFile(
      'second.json',
      listingsFeed(MERCHANT, [
        update(1, 'MUG', { purchasable_offer: [offer('GBP', 15)] }, 'PARTIAL_UPDATE'),
        patch(2, 'BOWL', [
          {
            op: 'replace',
            path: '/attributes/fulfillment_availability',
            value: availability(7, { lead_time_to_ship_max_days: 2 }),
          },
          { op: 'merge', path: '/attributes/purchasable_offer', value: [offer('EUR', 8.25)] },
        ]),
        remove(3, 'PLATE'),
        patch(4, 'MUG', [{ op: 'delete', path: '/attributes/item_name' }]),
      ]),
    );
    const secondReport = listingsReport((await cli(['process', second])).stdout);
    expect(secondReport.summary).toMatchObject({ errors: 0, warnings: 1, messagesAccepted: 4 });
    expect(secondReport.issues[0]).toMatchObject({ messageId: 4, attributeName: 'item_name', severity: 'WARNING' });
    // PARTIAL_UPDATE replaced the prices it named and left the availability alone.
    expect(await inventory('MUG')).toMatchObject({ quantity: 12, fulfillmentLatency: 3, prices: { GBP: '15.00' } });
    expect(await inventory('BOWL')).toMatchObject({
      quantity: 7,
      fulfillmentLatency: 2,
      prices: { EUR: '8.25', USD: '9.00' },
    });
    expect(await inventory('PLATE')).toBeNull();

    const third = feedFile(
      'third.json',
      listingsFeed(MERCHANT, [
        patch(1, 'MUG', [
          { op: 'merge', path: '/attributes/fulfillment_availability', value: availability(30) },
          { op: 'delete', path: '/attributes/purchasable_offer', value: [{ currency: 'GBP' }] },
        ]),
      ]),
    );
    expect((await cli(['process', third])).code).toBe(0);
    const mug = await inventory('MUG');
    expect(mug).toEqual({
      sku: 'MUG',
      quantity: 30,
      available: null,
      fulfillmentLatency: 3,
      restockDate: '2026-03-01',
      fulfillmentChannel: 'MFN',
    });
  }, 120_000);

  it("rejects a feed whose sellerId is not the submitting merchant's (5005) and applies nothing of it", async () => {
    const file = feedFile(
      'foreign.json',
      listingsFeed('A9SOMEONEELSE', [update(1, 'FOREIGN', { fulfillment_availability: availability(5) })]),
    );
    const processed = await cli(['process', file]);
    expect(processed.code).toBe(4);
    const report = listingsReport(processed.stdout);
    expect(report.header.sellerId).toBe(MERCHANT);
    expect(report.issues).toEqual([
      {
        code: '5005',
        severity: 'ERROR',
        message:
          'The sellerId in the feed header is not valid for your credentials: the feed names A9SOMEONEELSE, it was submitted by A2LISTINGS7QZ.',
      },
    ]);
    expect(report.summary).toMatchObject({ errors: 1, messagesProcessed: 0, messagesAccepted: 0 });
    expect(await inventory('FOREIGN')).toBeNull();
  }, 60_000);

  it('applies a file submitted again never twice: the same content is a duplicate and does not undo a later feed', async () => {
    const five = feedFile(
      'five.json',
      listingsFeed(MERCHANT, [update(1, 'DUP', { fulfillment_availability: availability(5) })]),
    );
    const nine = feedFile(
      'nine.json',
      listingsFeed(MERCHANT, [update(1, 'DUP', { fulfillment_availability: availability(9) })]),
    );
    const firstRun = listingsReport((await cli(['process', five])).stdout);
    expect(await inventory('DUP')).toMatchObject({ quantity: 5 });
    expect((await cli(['process', nine])).code).toBe(0);
    const again = await cli(['process', five]);
    expect(again.code).toBe(0);
    const report = listingsReport(again.stdout);
    expect(report.issues).toEqual([
      {
        code: '97010',
        severity: 'WARNING',
        message: `This file is identical to feed ${firstRun.header.feedId} that merchant ${MERCHANT} already submitted; nothing in it was applied again.`,
      },
    ]);
    expect(await inventory('DUP')).toMatchObject({ quantity: 9 });
  }, 60_000);

  it('finishes a feed whose job failed part-way once (a worker retry) with every message applied once, and reports it by id', async () => {
    const file = feedFile(
      'retry.json',
      listingsFeed(MERCHANT, [
        update(1, 'RETRY', { fulfillment_availability: availability(1), purchasable_offer: [offer('USD', 5)] }),
        patch(2, 'RETRY', [{ op: 'merge', path: '/attributes/fulfillment_availability', value: availability(2) }]),
        patch(3, 'RETRY', [{ op: 'merge', path: '/attributes/purchasable_offer', value: [offer('EUR', 4)] }]),
      ]),
    );
    const submitted = await cli(['submit', file]);
    expect(submitted.code).toBe(0);
    const feedId = submitted.stdout.trim();
    // The job holding message 2 applies message 1, then fails on its first attempt; BullMQ runs it again.
    const worker = spawn(process.execPath, [CLI, 'worker', '--concurrency', '1'], {
      cwd: REPO_ROOT,
      env: { ...env, FEEDPROC_FAULT: 'fail-message=2x1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    worker.stderr.setEncoding('utf8').on('data', (text: string) => (log += text));
    try {
      await until(
        () => {
          if (/done on attempt 2/.test(log)) return true;
          if (worker.exitCode !== null) throw new Error(`worker exited: ${log}`);
          return false;
        },
        'the retried job to be done',
        120_000,
        50,
      );
    } finally {
      worker.kill('SIGTERM');
    }
    expect(log).toMatch(/attempt 1 of \d+ failed: FEEDPROC_FAULT fail-message: attempt 1 fails before message 2/);
    let shown = await cli(['report', feedId]);
    while (shown.code === 2 && /not ready/.test(shown.stderr)) shown = await cli(['report', feedId]);
    const report = listingsReport(shown.stdout);
    expect(report.header).toEqual({ sellerId: MERCHANT, version: '2.0', feedId });
    expect(report.summary).toEqual({
      errors: 0,
      warnings: 0,
      messagesProcessed: 3,
      messagesAccepted: 3,
      messagesInvalid: 0,
    });
    expect(await inventory('RETRY')).toMatchObject({ quantity: 2, prices: { EUR: '4.00', USD: '5.00' } });
  }, 120_000);
});
