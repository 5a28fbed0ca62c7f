/**
 * `feedproc watch` as a real process: a writer appending line by line without a rename gets one feed (the default
 * stability window), report names cannot collide (a top-level `<file>.<id>` beside feed <id>'s report, order
 * reports of the same name from two merchants), reports/ deleted while running is made again, and a folder named
 * `M{COL` can neither reach nor share merchant `M_COL`'s ledger.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { appendFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { removePrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { makeTempDir } from '../helpers/tmp.js';
import { sleep } from '../helpers/wait.js';
import { merchantInbox, startWatch, type WatchProcess } from '../helpers/watcher.js';

const feedEvents = (w: WatchProcess) => w.events().filter((e) => e['event'] === 'feed');

async function dropFile(dir: string, name: string, content: string): Promise<void> {
  await writeFile(join(dir, '.dropping.tmp'), content);
  await rename(join(dir, '.dropping.tmp'), join(dir, name));
}

describe('drop folder names, windows and folders (feedproc watch)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let prefix: string;
  let env: NodeJS.ProcessEnv;
  let watch: WatchProcess | null = null;
  beforeEach(() => {
    tmp = makeTempDir('feedproc-names-');
    prefix = uniquePrefix();
    env = { ...process.env, FEEDPROC_REDIS_URL: testRedisUrl(), FEEDPROC_PREFIX: prefix, FEEDPROC_FEEDS_DIR: tmp.dir };
    delete env['FEEDPROC_MERCHANT'];
    delete env['FEEDPROC_WATCH_STABLE_MS'];
  });
  afterEach(async () => {
    if (watch && watch.child.exitCode === null) {
      watch.child.kill('SIGTERM');
      await watch.exited;
    }
    watch = null;
    const redis = new Redis(testRedisUrl());
    await removePrefix(redis, prefix);
    await redis.quit();
    tmp.cleanup();
  });

  it('gives a writer that appends line by line, pausing 500 ms between lines, one feed with every line', async () => {
    const inbox = merchantInbox(tmp.dir, 'A1APPENDER');
    watch = startWatch(env); // the default stability window
    await watch.waitFor((e) => e['event'] === 'watching');
    const path = join(inbox, 'stock.txt');
    await appendFile(path, 'sku\tquantity\n');
    for (let row = 1; row <= 5; row += 1) {
      await sleep(500); // longer than the old 200 ms window, which cut this file into six feeds
      await appendFile(path, `SKU-${row}\t${row}\n`);
    }
    const feed = await watch.waitFor((e) => e['event'] === 'feed', 60_000);
    expect(feed).toMatchObject({ file: 'stock.txt', status: 'Complete', messagesProcessed: 5 });
    expect(feedEvents(watch)).toHaveLength(1);
  }, 120_000);

  it('never lets one report overwrite another: <file>.<id> at the top, order reports of one name from two merchants', async () => {
    const inbox = merchantInbox(tmp.dir, 'A1FIRST');
    watch = startWatch(env); // no default merchant: files at the top of incoming/ have none
    await watch.waitFor((e) => e['event'] === 'watching');
    await dropFile(inbox, 'upload.txt', 'sku\tquantity\nSKU-1\t1\n');
    const feed = await watch.waitFor((e) => e['event'] === 'feed');
    const id = String(feed['feedSubmissionId']);
    const report = String(feed['report']);
    expect(report.endsWith(`upload.txt.${id}.report.txt`)).toBe(true);
    const original = readFileSync(report, 'utf8');
    // A file named after that report's stem, at the top with no merchant: its own report, the feed's untouched.
    await dropFile(join(tmp.dir, 'incoming'), `upload.txt.${id}`, 'sku\tquantity\nSKU-2\t2\n');
    const unassigned = await watch.waitFor((e) => e['event'] === 'no-merchant');
    expect(String(unassigned['report']).endsWith(`upload.txt.${id}.unassigned.txt`)).toBe(true);
    expect(readFileSync(report, 'utf8')).toBe(original);
    // The same order report name from two merchants: two import reports, named with the merchant.
    const orders = readFileSync(join(REPO_ROOT, 'samples', 'order-report.txt'), 'utf8');
    await dropFile(inbox, 'orders.txt', orders);
    await dropFile(merchantInbox(tmp.dir, 'A1SECOND'), 'orders.txt', orders);
    await watch.waitFor((e) => e['event'] === 'orders-imported' && e['merchant'] === 'A1FIRST');
    await watch.waitFor((e) => e['event'] === 'orders-imported' && e['merchant'] === 'A1SECOND');
    const reports = readdirSync(join(tmp.dir, 'reports')).filter((n) => !n.startsWith('.'));
    expect(reports.sort()).toEqual(
      [
        `upload.txt.${id}.report.txt`,
        `upload.txt.${id}.unassigned.txt`,
        'orders.txt.A1FIRST.import.txt',
        'orders.txt.A1SECOND.import.txt',
      ].sort(),
    );
  }, 120_000);

  it('makes reports/ (and the other folders) again when they are deleted while it runs', async () => {
    const inbox = merchantInbox(tmp.dir, 'A1CLEANER');
    watch = startWatch(env);
    await watch.waitFor((e) => e['event'] === 'watching');
    await dropFile(inbox, 'one.txt', 'sku\tquantity\nSKU-1\t1\n');
    await watch.waitFor((e) => e['event'] === 'feed' && e['file'] === 'one.txt');
    rmSync(join(tmp.dir, 'reports'), { recursive: true });
    rmSync(join(tmp.dir, 'done'), { recursive: true });
    await dropFile(inbox, 'two.txt', 'sku\tquantity\nSKU-2\t2\n');
    const second = await watch.waitFor((e) => e['event'] === 'feed' && e['file'] === 'two.txt', 60_000);
    expect(existsSync(String(second['report']))).toBe(true);
    expect(readdirSync(join(tmp.dir, 'done', 'A1CLEANER'))).toEqual(['two.txt']);
    expect(watch.events().filter((e) => e['event'] === 'retry')).toEqual([]);
  }, 120_000);

  it('sends a file that keeps failing to failed/ with a report after its tries, and the lane moves on', async () => {
    // A folder left in processing/ under the file's name: every claim's rename fails (not a state that heals).
    mkdirSync(join(tmp.dir, 'processing', 'A1STUCK', 'stuck.txt'), { recursive: true });
    writeFileSync(join(tmp.dir, 'processing', 'A1STUCK', 'stuck.txt', 'keep'), '');
    const inbox = merchantInbox(tmp.dir, 'A1STUCK');
    // Retries after 100 ms, doubling (the default 2 s doubling to 30 s spends a minute on the same six tries).
    watch = startWatch({ ...env, FEEDPROC_WATCH_STABLE_MS: '200', FEEDPROC_WATCH_RETRY_MS: '100' });
    await watch.waitFor((e) => e['event'] === 'watching');
    await dropFile(inbox, 'stuck.txt', 'sku\tquantity\nSTUCK\t1\n');
    await sleep(50); // a later ctime: after stuck.txt in the lane
    await dropFile(inbox, 'next.txt', 'sku\tquantity\nNEXT\t1\n');
    const givenUp = await watch.waitFor((e) => e['event'] === 'given-up', 150_000);
    expect(watch.events().filter((e) => e['event'] === 'retry')).toHaveLength(6);
    expect(String(givenUp['report']).endsWith('stuck.txt.A1STUCK.failed.txt')).toBe(true);
    expect(readFileSync(String(givenUp['report']), 'utf8')).toMatch(
      /^The file "stuck\.txt" could not be processed after 6 attempts \(.*\); it was moved to failed\//,
    );
    expect(readdirSync(join(tmp.dir, 'failed', 'A1STUCK'))).toEqual(['stuck.txt']);
    const next = await watch.waitFor((e) => e['event'] === 'feed', 60_000);
    expect(next).toMatchObject({ file: 'next.txt', status: 'Complete' });
  }, 240_000);

  it('keeps M{COL out of M_COL: the folder is refused, M_COL keeps its own ledger, the id is refused at the CLI', async () => {
    watch = startWatch(env);
    await watch.waitFor((e) => e['event'] === 'watching');
    await dropFile(merchantInbox(tmp.dir, 'M{COL'), 'evil.txt', 'sku\tquantity\nEVIL\t666\n');
    await dropFile(merchantInbox(tmp.dir, 'M_COL'), 'mine.txt', 'sku\tquantity\nMINE\t1\n');
    await watch.waitFor((e) => e['event'] === 'feed' && e['merchant'] === 'M_COL', 60_000);
    const refused = await watch.waitFor((e) => e['event'] === 'refused' && e['entry'] === 'M{COL');
    expect(String(refused['reason'])).toMatch(/not a merchant id/);
    expect(readdirSync(join(tmp.dir, 'incoming', 'M{COL'))).toEqual(['evil.txt']);
    const redis = new Redis(testRedisUrl());
    const stock = await redis.hgetall(`${prefix}:{m:M_COL}:stock`);
    const tags = new Set((await redis.keys(`${prefix}:*`)).flatMap((k) => /\{m:([^}]*)\}/.exec(k)?.[1] ?? []));
    await redis.quit();
    expect(Object.keys(stock)).toEqual(['MINE']);
    expect([...tags]).toEqual(['M_COL']);
    const cli = await runCli(['keys', 'create', '--merchant', 'M{COL'], { env });
    expect([cli.code, cli.stderr]).toEqual([2, expect.stringMatching(/merchant id "M\{COL" is not valid/)]);
  }, 120_000);
});
