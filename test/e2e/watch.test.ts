/**
 * `feedproc watch` as a real process on a temp drop folder and the test redis-server: writers that pause, that
 * preallocate, that use the rename protocol; files already waiting; a burst of files over several merchants.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { open, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { removePrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { makeTempDir } from '../helpers/tmp.js';
import { merchantInbox, startWatch, type WatchProcess } from '../helpers/watcher.js';
import { xmlFeed } from '../helpers/feeds.js';
import { sleep, until } from '../helpers/wait.js';

const MERCHANT = 'A1MERCHANT';

function inventoryXml(messages: number, merchant = MERCHANT): string {
  const body = Array.from(
    { length: messages },
    (_, i) =>
      `<Message><MessageID>${i + 1}</MessageID><OperationType>Update</OperationType><Inventory><SKU>SKU-${i + 1}</SKU><Quantity>${i}</Quantity></Inventory></Message>\n`,
  ).join('');
  return xmlFeed('Inventory', body).replace('A1MERCHANT', merchant);
}
const inventoryFlat = (rows: Array<[string, number]>): string =>
  `sku\tquantity\n${rows.map(([sku, q]) => `${sku}\t${q}`).join('\n')}\n`;

interface Setup {
  dir: string;
  prefix: string;
  env: NodeJS.ProcessEnv;
  watch?: WatchProcess;
  cleanup(): Promise<void>;
}

async function setup(): Promise<Setup> {
  const tmp = makeTempDir('feedproc-watch-');
  const prefix = uniquePrefix();
  const env = {
    ...process.env,
    FEEDPROC_REDIS_URL: testRedisUrl(),
    FEEDPROC_PREFIX: prefix,
    FEEDPROC_FEEDS_DIR: tmp.dir,
    FEEDPROC_WATCH_STABLE_MS: '200', // these writers pause for longer than this window (the default is 2000 ms)
  };
  const s: Setup = {
    dir: tmp.dir,
    prefix,
    env,
    async cleanup() {
      if (s.watch && s.watch.child.exitCode === null) {
        s.watch.child.kill('SIGKILL');
        await s.watch.exited;
      }
      const redis = new Redis(testRedisUrl());
      await removePrefix(redis, prefix);
      await redis.quit();
      tmp.cleanup();
    },
  };
  return s;
}

const feedEvents = (w: WatchProcess) => w.events().filter((e) => e['event'] === 'feed');
const reportsOf = (dir: string) => readdirSync(join(dir, 'reports')).filter((n) => !n.startsWith('.'));

/**
 * No file left in incoming/ or processing/ (subfolders included): from then on the watcher has nothing it could
 * ingest, so no further feed event can come — the event to wait for instead of a pause.
 */
const nothingLeft = (dir: string): boolean =>
  ['incoming', 'processing'].every((folder) => {
    const root = join(dir, folder);
    if (!existsSync(root)) return true;
    return readdirSync(root, { recursive: true, withFileTypes: true }).every((entry) => entry.isDirectory());
  });

describe('feedproc watch', () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup();
  });
  afterEach(() => s.cleanup());

  it('ingests a file renamed in exactly once and never looks at the temporary name', async () => {
    const inbox = merchantInbox(s.dir, MERCHANT);
    s.watch = startWatch(s.env);
    await s.watch.waitFor((e) => e['event'] === 'watching');
    const handle = await open(join(inbox, '.stock.xml.tmp'), 'w');
    const content = inventoryXml(50);
    await handle.write(content.slice(0, 1000));
    await sleep(1200); // longer than the stability window: a watcher reading temp names would take it now
    await handle.write(content.slice(1000));
    await handle.close();
    await rename(join(inbox, '.stock.xml.tmp'), join(inbox, 'stock.xml'));
    const done = await s.watch.waitFor((e) => e['event'] === 'feed');
    expect(done).toMatchObject({ file: 'stock.xml', merchant: MERCHANT, status: 'Complete', messagesProcessed: 50 });
    await until(() => nothingLeft(s.dir), 'nothing left to ingest');
    expect(feedEvents(s.watch)).toHaveLength(1);
    expect(reportsOf(s.dir)).toEqual([`stock.xml.${String(done['feedSubmissionId'])}.report.xml`]);
    expect(readdirSync(join(s.dir, 'done', MERCHANT))).toEqual(['stock.xml']);
    expect(readdirSync(inbox)).toEqual([]);
  });

  it('never reads early a file whose writer pauses mid-file longer than the stability window (XML and flat)', async () => {
    const inbox = merchantInbox(s.dir, MERCHANT);
    s.watch = startWatch(s.env);
    await s.watch.waitFor((e) => e['event'] === 'watching');
    const xml = inventoryXml(40);
    const flat = inventoryFlat(Array.from({ length: 40 }, (_, i) => [`FLAT-${i}`, i]));
    const xmlHandle = await open(join(inbox, 'paused.xml'), 'w');
    const flatHandle = await open(join(inbox, 'paused.txt'), 'w');
    await xmlHandle.write(xml.slice(0, xml.length / 2));
    await flatHandle.write(flat.slice(0, flat.indexOf('\n', flat.length / 2) + 1)); // stops at a line end: looks complete
    await sleep(2500);
    expect(feedEvents(s.watch)).toEqual([]);
    await xmlHandle.write(xml.slice(xml.length / 2));
    await flatHandle.write(flat.slice(flat.indexOf('\n', flat.length / 2) + 1));
    await xmlHandle.close();
    await flatHandle.close();
    await s.watch.waitFor(() => feedEvents(s.watch as WatchProcess).length === 2);
    const byFile = Object.fromEntries(feedEvents(s.watch).map((e) => [e['file'], e]));
    expect(byFile['paused.xml']).toMatchObject({ status: 'Complete', messagesProcessed: 40, messagesWithError: 0 });
    expect(byFile['paused.txt']).toMatchObject({ status: 'Complete', messagesProcessed: 40, messagesWithError: 0 });
  });

  it('waits for a preallocated file (final size first, then filled) until it is complete', async () => {
    const inbox = merchantInbox(s.dir, MERCHANT);
    s.watch = startWatch(s.env);
    await s.watch.waitFor((e) => e['event'] === 'watching');
    const content = Buffer.from(inventoryXml(30));
    const handle = await open(join(inbox, 'prealloc.xml'), 'w');
    await handle.truncate(content.length);
    await handle.close(); // not even held open: only the zero-filled tail says it is unfinished
    await sleep(2000);
    expect(feedEvents(s.watch)).toEqual([]);
    const writer = await open(join(inbox, 'prealloc.xml'), 'r+');
    await writer.write(content, 0, content.length, 0);
    await writer.close();
    expect(await s.watch.waitFor((e) => e['event'] === 'feed')).toMatchObject({
      status: 'Complete',
      messagesProcessed: 30,
    });
  });

  it('treats a half-written file found at start-up the same way', async () => {
    const inbox = merchantInbox(s.dir, MERCHANT);
    const xml = inventoryXml(20);
    await writeFile(join(inbox, 'half.xml'), xml.slice(0, xml.length - 200));
    s.watch = startWatch(s.env);
    await s.watch.waitFor((e) => e['event'] === 'watching');
    await sleep(2000);
    expect(feedEvents(s.watch)).toEqual([]);
    expect(existsSync(join(inbox, 'half.xml'))).toBe(true);
    await writeFile(join(inbox, 'half.xml'), xml.slice(xml.length - 200), { flag: 'a' });
    expect(await s.watch.waitFor((e) => e['event'] === 'feed')).toMatchObject({
      file: 'half.xml',
      status: 'Complete',
      messagesProcessed: 20,
    });
  });

  it("turns a burst of files from several merchants into one report each, every merchant's files in order", async () => {
    const merchants = ['A1FIRST', 'A2SECOND', 'A3THIRD'];
    const perMerchant = Number(process.env['FEEDPROC_TEST_BURST'] ?? 334);
    s.watch = startWatch(s.env);
    await s.watch.waitFor((e) => e['event'] === 'watching');
    for (let i = 1; i <= perMerchant; i += 1) {
      for (const m of merchants) {
        const inbox = merchantInbox(s.dir, m);
        const name = `f${String(i).padStart(4, '0')}.txt`;
        await writeFile(
          join(inbox, `.${name}`),
          inventoryFlat([
            ['LAST-FILE', i],
            [`${m}-${i}`, i],
          ]),
        );
        await rename(join(inbox, `.${name}`), join(inbox, name));
      }
    }
    const total = merchants.length * perMerchant;
    await s.watch.waitFor(() => feedEvents(s.watch as WatchProcess).length >= total, 240_000);
    await until(() => nothingLeft(s.dir), 'nothing left to ingest');
    const events = feedEvents(s.watch);
    expect(events).toHaveLength(total);
    expect(reportsOf(s.dir)).toHaveLength(total);
    for (const m of merchants) {
      const files = events.filter((e) => e['merchant'] === m).map((e) => e['file']);
      expect(files).toEqual(Array.from({ length: perMerchant }, (_, i) => `f${String(i + 1).padStart(4, '0')}.txt`));
      const ids = events.filter((e) => e['merchant'] === m).map((e) => Number(e['feedSubmissionId']));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      const redis = new Redis(testRedisUrl());
      const stock = await redis.hget(`${s.prefix}:{m:${m}}:stock`, 'LAST-FILE');
      await redis.quit();
      expect(JSON.parse(stock ?? '{}')).toMatchObject({ quantity: perMerchant }); // the last file was applied last
    }
    expect(readFileSync(join(s.dir, 'reports', reportsOf(s.dir)[0] as string), 'utf8')).toMatch(
      /Number of records successful\t\t2/,
    );
  }, 300_000);

  it('processes the files found waiting at start-up in name order, and reports identical content as a duplicate', async () => {
    const inbox = merchantInbox(s.dir, MERCHANT);
    for (const n of [5, 4, 3, 2, 1])
      await writeFile(
        join(inbox, `f${n}.txt`),
        inventoryFlat([
          ['ORDER', n],
          [`ONLY-${n}`, n],
        ]),
      );
    await writeFile(
      join(inbox, 'f6-same-as-f1.txt'),
      inventoryFlat([
        ['ORDER', 1],
        ['ONLY-1', 1],
      ]),
    );
    s.watch = startWatch(s.env);
    await s.watch.waitFor(() => feedEvents(s.watch as WatchProcess).length === 6);
    expect(feedEvents(s.watch).map((e) => e['file'])).toEqual([
      'f1.txt',
      'f2.txt',
      'f3.txt',
      'f4.txt',
      'f5.txt',
      'f6-same-as-f1.txt',
    ]);
    const duplicate = feedEvents(s.watch)[5] as Record<string, unknown>;
    expect(duplicate).toMatchObject({ status: 'Complete', messagesProcessed: 0 });
    expect(readFileSync(String(duplicate['report']), 'utf8')).toMatch(/97010/);
    expect(readdirSync(join(s.dir, 'done', MERCHANT)).sort()).toEqual([
      'f1.txt',
      'f2.txt',
      'f3.txt',
      'f4.txt',
      'f5.txt',
      'f6-same-as-f1.txt',
    ]);
  });

  it('exits at once on a second signal, leaving the file in progress claimed for the next start', async () => {
    const inbox = merchantInbox(s.dir, MERCHANT);
    s.watch = startWatch(s.env);
    await s.watch.waitFor((e) => e['event'] === 'watching');
    await writeFile(join(inbox, '.big.xml'), inventoryXml(60_000));
    await rename(join(inbox, '.big.xml'), join(inbox, 'big.xml'));
    while (!existsSync(join(s.dir, 'processing', MERCHANT, 'big.xml'))) await sleep(10);
    s.watch.child.kill('SIGTERM'); // graceful: would wait for the 60,000 messages (up to 8 s)
    await s.watch.waitFor((e) => e['event'] === 'stopping');
    const second = Date.now();
    s.watch.child.kill('SIGTERM');
    expect(await s.watch.exited).toEqual({ code: 5, signal: null }); // EXIT.ABANDONED: work left for the next start
    expect(Date.now() - second).toBeLessThan(1000);
    expect(feedEvents(s.watch)).toEqual([]);
    expect(existsSync(join(s.dir, 'processing', MERCHANT, 'big.xml'))).toBe(true);
  });

  it('moves a rejected feed to failed/ with its report, and a file without a merchant to failed/ with a report saying why', async () => {
    const inbox = merchantInbox(s.dir, MERCHANT);
    s.watch = startWatch(s.env); // no FEEDPROC_MERCHANT: files at the top of incoming/ have no merchant
    await s.watch.waitFor((e) => e['event'] === 'watching');
    await writeFile(join(inbox, '.other.xml'), inventoryXml(3, 'SOMEONE-ELSE'));
    await rename(join(inbox, '.other.xml'), join(inbox, 'other.xml'));
    await writeFile(join(s.dir, 'incoming', '.top.txt'), inventoryFlat([['X', 1]]));
    await rename(join(s.dir, 'incoming', '.top.txt'), join(s.dir, 'incoming', 'top.txt'));
    const rejected = await s.watch.waitFor((e) => e['event'] === 'feed');
    expect(rejected).toMatchObject({ file: 'other.xml', status: 'Rejected' });
    expect(readFileSync(String(rejected['report']), 'utf8')).toMatch(/<ResultMessageCode>5005<\/ResultMessageCode>/);
    expect(readdirSync(join(s.dir, 'failed', MERCHANT))).toEqual(['other.xml']);
    const unassigned = await s.watch.waitFor((e) => e['event'] === 'no-merchant');
    expect(String(unassigned['msg'])).toMatch(/^top\.txt: not processed: no merchant/);
    expect(readdirSync(join(s.dir, 'failed'))).toContain('top.txt');
    expect(readFileSync(join(s.dir, 'reports', 'top.txt.unassigned.txt'), 'utf8')).toMatch(/FEEDPROC_MERCHANT/);
  });

  it('keeps arrival order for files that appear together in a new merchant folder, whatever their names', async () => {
    s.watch = startWatch(s.env);
    await s.watch.waitFor((e) => e['event'] === 'watching');
    // A whole merchant folder moved in at once: the watcher learns of its files together, in name order.
    const staging = join(s.dir, 'staging-A9NEWMERCHANT');
    mkdirSync(staging);
    for (const name of ['z-orders-first.txt', 'm-then.txt', 'a-last.txt']) {
      await writeFile(
        join(staging, name),
        inventoryFlat([
          ['SAME', name.length],
          [name, 1],
        ]),
      );
      await sleep(20); // distinct ctimes, in this order
    }
    await rename(staging, join(s.dir, 'incoming', 'A9NEWMERCHANT'));
    await s.watch.waitFor(() => feedEvents(s.watch as WatchProcess).length === 3, 20_000);
    expect(feedEvents(s.watch).map((e) => e['file'])).toEqual(['z-orders-first.txt', 'm-then.txt', 'a-last.txt']);
  });
});
