/**
 * The drop folder's trust boundary against a real `feedproc serve` (watcher, workers and HTTP in one process):
 * links to folders and files outside the feeds folder (made before and while it watches), named pipes, folders
 * whose names are no merchant id, a 250-byte file name. Nothing outside is read, moved or applied; no ledger
 * appears for an invalid merchant; valid files beside them are processed in order, an HTTP upload works
 * throughout, every refused entry is reported once, and SIGTERM still stops the server.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { testRedisUrl } from '../helpers/redis.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { makeTempDir } from '../helpers/tmp.js';
import { xmlFeed } from '../helpers/feeds.js';
import { until } from '../helpers/wait.js';

const A = 'MERCHA';
const B = 'MERCHB';
const INVALID_FOLDERS = ['MER CH', 'MÉRCH', 'MER\nCH', 'MERCHB:x', 'MERCHB ', 'M{COL'];
const LONG_NAME = `${'n'.repeat(246)}.xml`; // 250 bytes: legal, but too long to build a claim or report name on

const stockFeed = (merchant: string, sku: string, quantity: number): string =>
  xmlFeed(
    'Inventory',
    `<Message><MessageID>1</MessageID><OperationType>Update</OperationType><Inventory><SKU>${sku}</SKU><Quantity>${quantity}</Quantity></Inventory></Message>\n`,
  ).replace('A1MERCHANT', merchant);
const stockFlat = (sku: string, quantity: number): string => `sku\tquantity\n${sku}\t${quantity}\n`;
const md5 = (body: string): string => createHash('md5').update(body).digest('base64');

/** Drops a file the way writers should: a dot name first, then a rename. */
function drop(dir: string, name: string, content: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `.${name.slice(0, 20)}.part`), content);
  renameSync(join(dir, `.${name.slice(0, 20)}.part`), join(dir, name));
}

/** Every file under a folder (recursively) with its content, for "nothing changed" checks. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const info = lstatSync(path);
    if (info.isDirectory()) for (const [k, v] of Object.entries(snapshot(path))) out[`${name}/${k}`] = v;
    else out[name] = info.isFile() ? readFileSync(path, 'utf8') : `(${info.mode})`;
  }
  return out;
}

async function redisKeys(prefix: string): Promise<string[]> {
  const redis = new Redis(testRedisUrl());
  try {
    return await redis.keys(`${prefix}:*`);
  } finally {
    await redis.quit();
  }
}

describe('the drop folder takes only what it should (feedproc serve)', () => {
  const outside = makeTempDir('feedproc-outside-');
  let serve: ServeProcess | null = null;
  afterAll(async () => {
    await serve?.stop();
    outside.cleanup();
  });

  it('refuses links, pipes, invalid folders and an over-long name safely while valid files and uploads go on', async () => {
    // Outside the feeds folder: a folder of valid feeds and a file a link points to.
    const outsideDir = join(outside.dir, 'elsewhere');
    const outsideDir2 = join(outside.dir, 'elsewhere-2');
    mkdirSync(outsideDir);
    mkdirSync(outsideDir2);
    writeFileSync(join(outsideDir, 'stolen.xml'), stockFeed('LINKED', 'OUTSIDE-1', 7));
    writeFileSync(join(outsideDir2, 'stolen.txt'), stockFlat('OUTSIDE-2', 8));
    writeFileSync(join(outside.dir, 'secret.txt'), stockFlat('SECRET-SKU', 9));
    const outsideBefore = snapshot(outside.dir);

    const feeds = makeTempDir('feedproc-trust-feeds-');
    const incoming = join(feeds.dir, 'incoming');
    mkdirSync(join(incoming, A), { recursive: true });
    mkdirSync(join(incoming, B), { recursive: true });
    // Before the watcher starts: a linked merchant folder, a linked file, pipes, invalid folders, a long name.
    symlinkSync(outsideDir, join(incoming, 'LINKED'));
    symlinkSync(join(outside.dir, 'secret.txt'), join(incoming, A, 'passwd.txt'));
    for (const n of [1, 2, 3, 4]) execFileSync('mkfifo', [join(incoming, A, `pipe-${n}.txt`)]);
    execFileSync('mkfifo', [join(incoming, B, 'pipe.xml')]);
    for (const [i, folder] of INVALID_FOLDERS.entries())
      drop(join(incoming, folder), 'feed.txt', stockFlat(`BAD-${i}`, 1));
    drop(join(incoming, A), LONG_NAME, stockFeed(A, 'LONG', 3));

    serve = await startServe({ FEEDPROC_FEEDS_DIR: feeds.dir });
    const s = serve;
    const w = s.process;
    const key = await s.createKey(A);

    // While it watches: another linked folder, another linked file, valid files beside the pipes, an upload.
    symlinkSync(outsideDir2, join(incoming, 'LINKED2'));
    symlinkSync(join(outside.dir, 'secret.txt'), join(incoming, B, 'secret-link.txt'));
    drop(join(incoming, A), 'z-first.txt', stockFlat('ORDER', 1));
    await w.waitFor((e) => e['event'] === 'feed' && e['file'] === 'z-first.txt', 60_000);
    drop(join(incoming, A), 'a-second.txt', stockFlat('ORDER', 2));
    drop(join(incoming, B), 'b.xml', stockFeed(B, 'B-SKU', 5));
    const body = stockFlat('UPLOADED', 4);
    const posted = await fetch(`${s.base}/feeds?feedType=_POST_FLAT_FILE_INVLOADER_DATA_`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secretKey}`, 'content-md5': md5(body) },
      body,
    });
    expect(posted.status).toBe(201);
    const uploadId = String(((await posted.json()) as { feedSubmissionId: string }).feedSubmissionId);

    const feed = (file: string) => w.waitFor((e) => e['event'] === 'feed' && e['file'] === file, 60_000);
    const [second, fromB, long, uploaded] = await Promise.all([
      feed('a-second.txt'),
      feed('b.xml'),
      feed(LONG_NAME),
      w.waitFor((e) => e['event'] === 'feed' && e['feedSubmissionId'] === uploadId, 60_000),
    ]);
    for (const done of [second, fromB, long, uploaded]) expect(done['status']).toBe('Complete');
    const first = w.events().find((e) => e['event'] === 'feed' && e['file'] === 'z-first.txt') ?? {};
    expect(Number(second['feedSubmissionId'])).toBeGreaterThan(Number(first['feedSubmissionId'])); // arrival order
    // The 250-byte name: processed once, its report under a derived name, the file in done/ under its own.
    expect(w.events().filter((e) => e['event'] === 'feed' && e['file'] === LONG_NAME)).toHaveLength(1);
    expect(Buffer.byteLength(String(long['report']).split('/').pop() as string)).toBeLessThan(200);
    expect(readFileSync(String(long['report']), 'utf8')).toContain(`<!-- original file name: ${LONG_NAME} -->`);
    expect(readdirSync(join(feeds.dir, 'done', A))).toContain(LONG_NAME);

    // Every refused entry is reported, with a report naming why; a rescan (it makes deleted folders again)
    // passes twice after that, and still each is reported once.
    const refusedEntries = [
      'LINKED',
      'LINKED2',
      `${A}/passwd.txt`,
      `${B}/secret-link.txt`,
      `${A}/pipe-1.txt`,
      `${A}/pipe-2.txt`,
      `${A}/pipe-3.txt`,
      `${A}/pipe-4.txt`,
      `${B}/pipe.xml`,
      ...INVALID_FOLDERS,
    ];
    for (const entry of refusedEntries)
      await w.waitFor((e) => e['event'] === 'refused' && e['entry'] === entry, 30_000);
    for (let pass = 0; pass < 2; pass += 1) {
      rmSync(join(feeds.dir, 'failed'), { recursive: true, force: true });
      await until(() => existsSync(join(feeds.dir, 'failed')), 'failed/ to exist', 30_000, 50);
    }
    const refused = w.events().filter((e) => e['event'] === 'refused');
    expect(refused.map((e) => e['entry']).sort()).toEqual([...refusedEntries].sort());
    for (const e of refused) {
      const text = readFileSync(String(e['report']), 'utf8');
      expect(text).toMatch(/^The drop folder did not take /);
      expect(text).toContain(JSON.stringify(e['entry']));
    }
    const reasonOf = (entry: string): string => String(refused.find((e) => e['entry'] === entry)?.['reason']);
    expect(reasonOf('LINKED')).toMatch(/symbolic link/);
    expect(reasonOf(`${A}/passwd.txt`)).toMatch(/symbolic link/);
    expect(reasonOf(`${A}/pipe-1.txt`)).toMatch(/named pipe/);
    expect(reasonOf('M{COL')).toMatch(/not a merchant id/);

    // Nothing outside was read into a report, moved or applied; the refused entries are where they were.
    expect(snapshot(outside.dir)).toEqual(outsideBefore);
    for (const name of readdirSync(join(feeds.dir, 'reports')))
      expect([name, readFileSync(join(feeds.dir, 'reports', name), 'utf8')]).not.toEqual([
        name,
        expect.stringMatching(/OUTSIDE-|SECRET-SKU/),
      ]);
    for (const n of [1, 2, 3, 4]) expect(lstatSync(join(incoming, A, `pipe-${n}.txt`)).isFIFO()).toBe(true);
    expect(lstatSync(join(incoming, A, 'passwd.txt')).isSymbolicLink()).toBe(true);
    for (const folder of INVALID_FOLDERS) expect(readdirSync(join(incoming, folder))).toEqual(['feed.txt']);

    // Ledgers exist for the two valid merchants only, and hold none of the outside SKUs.
    const tags = new Set((await redisKeys(s.prefix)).flatMap((k) => /\{m:([^}]*)\}/.exec(k)?.[1] ?? []));
    expect([...tags].sort()).toEqual([A, B]);
    const redis = new Redis(testRedisUrl());
    const stockA = await redis.hkeys(`${s.prefix}:{m:${A}}:stock`);
    const stockB = await redis.hkeys(`${s.prefix}:{m:${B}}:stock`);
    await redis.quit();
    expect(stockA.sort()).toEqual(['LONG', 'ORDER', 'UPLOADED']);
    expect(stockB).toEqual(['B-SKU']);

    // The server still answers, and SIGTERM stops it.
    expect((await fetch(`${s.base}/health`)).status).toBe(200);
    w.child.kill('SIGTERM');
    expect(await w.exited).toEqual({ code: 0, signal: null });
    feeds.cleanup();
  }, 240_000);
});
