/**
 * JSON listings feeds through the other doors, as real processes: the drop folder (`feedproc watch`; a `.json`
 * file and a JSON file without that extension, neither ending in a newline) and the HTTP JSON API's upload and
 * result download (`feedproc serve`). The report each door gives back is Amazon's listings processing report.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { runCli } from '../helpers/cli.js';
import {
  amazonReportSchema,
  availability,
  listingsFeed,
  offer,
  update,
  type ListingsReport,
} from '../helpers/listings.js';
import { removePrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { makeTempDir } from '../helpers/tmp.js';
import { merchantInbox, startWatch, type WatchProcess } from '../helpers/watcher.js';
import { sleep } from '../helpers/wait.js';

const MERCHANT = 'A3DOORS5LISTING';
const reportSchema = amazonReportSchema();

function checked(text: string): ListingsReport {
  const report = JSON.parse(text) as ListingsReport;
  expect([reportSchema(report), reportSchema.errors ?? null]).toEqual([true, null]);
  return report;
}

async function inventory(env: NodeJS.ProcessEnv, sku: string): Promise<Record<string, unknown>> {
  const shown = await runCli(['inventory', sku, '--format', 'json'], { env: { ...env, FEEDPROC_MERCHANT: MERCHANT } });
  expect([shown.code, shown.stderr]).toEqual([0, '']);
  return JSON.parse(shown.stdout) as Record<string, unknown>;
}

describe('the drop folder', () => {
  const tmp = makeTempDir('feedproc-listings-drop-');
  const prefix = uniquePrefix();
  const env = {
    ...process.env,
    FEEDPROC_REDIS_URL: testRedisUrl(),
    FEEDPROC_PREFIX: prefix,
    FEEDPROC_FEEDS_DIR: tmp.dir,
  };
  let watch: WatchProcess | undefined;
  afterAll(async () => {
    if (watch && watch.child.exitCode === null) {
      watch.child.kill('SIGKILL');
      await watch.exited;
    }
    const redis = new Redis(testRedisUrl());
    await removePrefix(redis, prefix);
    await redis.quit();
    tmp.cleanup();
  });

  it('takes .json files and JSON content under any name, writes <name>.<id>.report.json and moves them to done/', async () => {
    const inbox = merchantInbox(tmp.dir, MERCHANT);
    watch = startWatch(env);
    await watch.waitFor((e) => e['event'] === 'watching');
    const levels = listingsFeed(MERCHANT, [
      update(1, 'LAMP', { fulfillment_availability: availability(8), purchasable_offer: [offer('PLN', 129.99)] }),
      update(2, 'SHADE', { fulfillment_availability: availability(2), colour: [{ value: 'green' }] }),
    ]).trimEnd(); // no newline at the end, as JSON writers often leave it
    await writeFile(join(inbox, 'levels.json'), levels);
    const first = await watch.waitFor((e) => e['event'] === 'feed' && e['file'] === 'levels.json');
    expect(first).toMatchObject({ merchant: MERCHANT, status: 'Complete', messagesProcessed: 2, messagesWithError: 0 });
    const id = String(first['feedSubmissionId']);
    const report = checked(readFileSync(join(tmp.dir, 'reports', `levels.json.${id}.report.json`), 'utf8'));
    expect(report.header).toEqual({ sellerId: MERCHANT, version: '2.0', feedId: id });
    expect(report.issues).toEqual([
      expect.objectContaining({ messageId: 2, sku: 'SHADE', severity: 'WARNING', attributeName: 'colour' }),
    ]);
    expect(await inventory(env, 'LAMP')).toMatchObject({ quantity: 8, prices: { PLN: '129.99' } });

    const exported = listingsFeed(MERCHANT, [
      update(1, 'LAMP', { fulfillment_availability: availability(3) }, 'PARTIAL_UPDATE'),
    ]);
    await writeFile(join(inbox, 'erp-export'), `\n  ${exported.trimEnd()}`); // no extension; sniffed by its first '{'
    const second = await watch.waitFor((e) => e['event'] === 'feed' && e['file'] === 'erp-export');
    expect(second).toMatchObject({ status: 'Complete', messagesProcessed: 1 });
    checked(
      readFileSync(join(tmp.dir, 'reports', `erp-export.${String(second['feedSubmissionId'])}.report.json`), 'utf8'),
    );
    expect(readdirSync(join(tmp.dir, 'done', MERCHANT)).sort()).toEqual(['erp-export', 'levels.json']);
    expect(await inventory(env, 'LAMP')).toMatchObject({ quantity: 3, prices: { PLN: '129.99' } });
  }, 90_000);
});

describe('the HTTP JSON API', () => {
  let serve: ServeProcess;
  beforeAll(async () => {
    serve = await startServe();
  }, 60_000);
  afterAll(() => serve.stop());

  it('takes a JSON_LISTINGS_FEED upload and serves its result as the listings report, application/json', async () => {
    const key = await serve.createKey(MERCHANT);
    const body = listingsFeed(MERCHANT, [update(1, 'VASE', { fulfillment_availability: availability(6) })]);
    const auth = { authorization: `Bearer ${key.secretKey}` };
    const posted = await fetch(`${serve.base}/feeds?feedType=JSON_LISTINGS_FEED`, {
      method: 'POST',
      headers: {
        ...auth,
        'content-type': 'application/json',
        'content-md5': createHash('md5').update(body).digest('base64'),
      },
      body,
    });
    expect(posted.status).toBe(201);
    const info = (await posted.json()) as { feedSubmissionId: string; feedType: string };
    expect(info.feedType).toBe('JSON_LISTINGS_FEED');
    for (;;) {
      const feed = (await (await fetch(`${serve.base}/feeds/${info.feedSubmissionId}`, { headers: auth })).json()) as {
        feedProcessingStatus: string;
      };
      if (feed.feedProcessingStatus === '_DONE_') break;
      await sleep(50); // polling the status, as a client does
    }
    const result = await fetch(`${serve.base}/feeds/${info.feedSubmissionId}/result`, { headers: auth });
    expect([result.status, result.headers.get('content-type')]).toEqual([200, 'application/json; charset=UTF-8']);
    const report = checked(await result.text());
    expect(report).toEqual({
      header: { sellerId: MERCHANT, version: '2.0', feedId: info.feedSubmissionId },
      issues: [],
      summary: { errors: 0, warnings: 0, messagesProcessed: 1, messagesAccepted: 1, messagesInvalid: 0 },
    });
    expect(await inventory(serve.env, 'VASE')).toMatchObject({ quantity: 6 });
  }, 60_000);
});
