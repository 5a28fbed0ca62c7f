/**
 * Bounded reports, bounded messages and safe cells (docs/limits.md), with real processes and the test Redis:
 * - a flat file whose 7 MB header names 1,000,000 unknown columns, through `validate`, `process`, the drop folder,
 *   the JSON API upload and MWS SubmitFeed: one small Fatal 97032 report, Redis growth under 1 MB, bounded
 *   process memory;
 * - a valid envelope whose one message holds millions of `<x/>` (the limit lowered through the environment),
 *   through `validate`, the drop folder and the JSON API: rejected with 97030 before memory grows;
 * - unknown columns below the cap folded into one 90061, a report capped at FEEDPROC_MAX_REPORT_RESULTS with a
 *   last 97012, a resumed file whose reading ended its process too often given up (97033): once from a claim
 *   record left as three crashes leave it, once with `feedproc watch` really killed by V8's heap limit three times;
 * - formula injection: SKUs such as `=HYPERLINK(…)` reach the flat report as text.
 * Memory is measured as the kernel's peak RSS (getrusage / VmHWM), never timed.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { REPO_ROOT, runCli, type CliRun } from '../helpers/cli.js';
import { connectTestRedis, removePrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { makeTempDir } from '../helpers/tmp.js';
import { MwsTestClient } from '../helpers/mws-client.js';
import { merchantInbox } from '../helpers/watcher.js';
import { spawnCli } from '../helpers/chaos-processes.js';
import { sleep, waitUntil } from '../helpers/wait.js';

/** Generous: the machine is shared, and each test writes and reads files of several megabytes. */
const LONG = 300_000;

const MERCHANT = 'A1BOUNDEDTEST1';
const FLAT_TYPE = '_POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA_';
const XML_TYPE = '_POST_PAYMENT_ADJUSTMENT_DATA_';
const PEAK_RSS = join(REPO_ROOT, 'test', 'helpers', 'peak-rss.mjs');
/** Elements one message may hold in these tests; the huge message has 2,000,000. */
const TEST_MAX_ELEMENTS = '10000';
const MIB = 1024 * 1024;
/**
 * The three doors' tests share one merchant's throttles: restore them quickly, and keep the drop folder's window
 * (2 s by default, uploads included) short, so that waiting for a result stays within the listing quotas.
 */
const QUICK_DOORS = { FEEDPROC_THROTTLE_SCALE: '0.001', FEEDPROC_WATCH_STABLE_MS: '200' };

const tmp = makeTempDir('feedproc-bounded-');
let redis: Redis;

/**
 * `sku  quantity  x0 … x999999`: 1,000,002 headings, 7.9 MB, under the 8 MiB line cap. The row's SKU is the
 * file's name, so that no two files are identical (a second one would be reported as a duplicate).
 */
function wideFile(name: string): string {
  const headings = ['sku', 'quantity'];
  for (let i = 0; i < 1_000_000; i += 1) headings.push(`x${i}`);
  return tmp.file(name, `${headings.join('\t')}\n${name}\t4\n`);
}

/** A valid envelope whose one message holds `elements` empty `<x/>` elements, written in pieces. */
function hugeMessageFile(name: string, elements: number): string {
  const path = join(tmp.dir, name);
  const fd = openSync(path, 'w');
  writeSync(
    fd,
    '<?xml version="1.0" encoding="UTF-8"?>\n<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">\n' +
      `<Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>${MERCHANT}</MerchantIdentifier></Header>\n` +
      `<MessageType>OrderAdjustment</MessageType>\n<!-- ${name} -->\n<Message><MessageID>1</MessageID><OrderAdjustment>`,
  );
  const piece = '<x/>'.repeat(100_000);
  for (let i = 0; i < elements / 100_000; i += 1) writeSync(fd, piece);
  writeSync(fd, '</OrderAdjustment></Message>\n</AmazonEnvelope>\n');
  closeSync(fd);
  return path;
}

function peakRssKib(run: CliRun): number {
  const match = /peak-rss-kib=(\d+)/.exec(run.stderr);
  if (!match) throw new Error(`no peak RSS in stderr: ${run.stderr}`);
  return Number(match[1]);
}

/** Peak resident set size of a running process, as the kernel counts it (VmHWM). */
function processPeakKib(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmHWM for ${pid}`);
  return Number(match[1]);
}

/** Bytes Redis holds for every key under the prefix (MEMORY USAGE, summed). */
async function prefixBytes(prefix: string): Promise<number> {
  let total = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    for (const key of keys) total += Number((await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
    cursor = next;
  } while (cursor !== '0');
  return total;
}

function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, NODE_OPTIONS: `--import=${PEAK_RSS}`, ...extra };
}

/** Result rows of a flat report (after the summary and the column-header row). */
function flatRows(report: string): string[][] {
  const lines = report.split('\n').filter((line) => line !== '');
  const header = lines.findIndex((line) => line.startsWith('original-record-number\t'));
  return lines.slice(header + 1).map((line) => line.split('\t'));
}

beforeAll(() => {
  redis = connectTestRedis();
});

afterAll(async () => {
  await redis.quit();
  tmp.cleanup();
});

describe('validate (a real CLI process)', () => {
  it(
    'rejects the 1,000,000-unknown-column file with one Fatal 97032 row, in bounded memory',
    async () => {
      const run = await runCli(['validate', wideFile('wide.txt')], { env: cliEnv() });
      expect(run.code).toBe(4);
      const rows = flatRows(run.stdout);
      expect(rows).toEqual([
        [
          '0',
          '',
          '97032',
          'Fatal',
          'Line 1 has more than 2000 columns; a flat feed has at most 2000, so the file was not read further.',
        ],
      ]);
      expect(Buffer.byteLength(run.stdout)).toBeLessThan(1024);
      expect(peakRssKib(run)).toBeLessThan(256 * 1024);
    },
    LONG,
  );

  it(
    'folds unknown columns below the cap into one 90061 naming the first five and the total',
    async () => {
      const headings = ['sku', 'quantity', ...Array.from({ length: 1500 }, (_, i) => `note${i}`)];
      const file = tmp.file('notes.txt', `${headings.join('\t')}\nSKU-1\t4\n`);
      const run = await runCli(['validate', '--format', 'json', file], { env: cliEnv() });
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout) as { results: Array<{ resultMessageCode: number; description: string }> };
      expect(report.results).toHaveLength(1);
      expect(report.results[0]).toMatchObject({
        resultMessageCode: 90061,
        description: expect.stringContaining(
          'The field headings note0, note1, note2, note3, note4 and 1495 more (1500 in all) are invalid',
        ) as unknown,
      });
    },
    LONG,
  );

  it(
    'lists at most FEEDPROC_MAX_REPORT_RESULTS results, then one 97012 saying how many were left out',
    async () => {
      const rows = Array.from({ length: 12 }, (_, i) => `SKU-${i}\tnot-a-number`).join('\n');
      const file = tmp.file('bad-rows.txt', `sku\tquantity\n${rows}\n`);
      const run = await runCli(['validate', '--format', 'json', file], {
        env: cliEnv({ FEEDPROC_MAX_REPORT_RESULTS: '5' }),
      });
      expect(run.code).toBe(3);
      const report = JSON.parse(run.stdout) as {
        summary: { messagesProcessed: number; messagesWithError: number };
        results: Array<{ messageId: number; resultMessageCode: number; description: string }>;
      };
      expect(report.summary).toMatchObject({ messagesProcessed: 12, messagesWithError: 12 });
      expect(report.results.map((r) => r.messageId)).toEqual([1, 2, 3, 4, 5, 0]);
      expect(report.results[5]).toMatchObject({
        resultMessageCode: 97012,
        description: 'This report lists the first 5 results; 7 more (7 errors, 0 warnings) were left out.',
      });
    },
    LONG,
  );

  it(
    'rejects a message with more elements than the limit while reading it (97030), in bounded memory',
    async () => {
      const file = hugeMessageFile('huge.xml', 2_000_000); // 8 MB of <x/>: ~360 MB of nodes if it were built
      const run = await runCli(['validate', '--format', 'json', file], {
        env: cliEnv({ FEEDPROC_MAX_MESSAGE_ELEMENTS: TEST_MAX_ELEMENTS }),
      });
      expect(run.code).toBe(4);
      const report = JSON.parse(run.stdout) as { statusCode: string; results: unknown[] };
      expect(report.statusCode).toBe('Rejected');
      expect(report.results).toEqual([
        expect.objectContaining({
          resultMessageCode: 97030,
          description:
            'The message starting at Line 6, Column 1 holds more than 10000 elements; no message of a feed is that large, so the feed was not read further.',
        }),
      ]);
      expect(peakRssKib(run)).toBeLessThan(200 * 1024);
    },
    LONG,
  );

  it(
    'rejects a message longer than FEEDPROC_MAX_MESSAGE_CHARS (97031)',
    async () => {
      const file = hugeMessageFile('long.xml', 100_000); // 400 KB in one message
      const run = await runCli(['validate', '--format', 'json', file], {
        env: cliEnv({ FEEDPROC_MAX_MESSAGE_CHARS: String(64 * 1024) }),
      });
      expect(run.code).toBe(4);
      expect(JSON.parse(run.stdout)).toMatchObject({
        results: [
          {
            resultMessageCode: 97031,
            description:
              'The message starting at Line 6, Column 1 is longer than 64 KiB; no message of a feed is that large, so the feed was not read further.',
          },
        ],
      });
    },
    LONG,
  );
});

describe('process (a real CLI process on the test Redis)', () => {
  const prefix = uniquePrefix();
  afterAll(() => removePrefix(redis, prefix));

  it(
    'stores a small rejected report for the 1,000,000-column file: Redis grows by less than 1 MB',
    async () => {
      const before = await prefixBytes(prefix);
      const env = cliEnv({ FEEDPROC_REDIS_URL: testRedisUrl(), FEEDPROC_PREFIX: prefix });
      const run = await runCli(['process', wideFile('wide-process.txt'), '--merchant', MERCHANT], { env });
      expect(run.code).toBe(4);
      expect(flatRows(run.stdout).map((row) => row[2])).toEqual(['97032']);
      expect(Buffer.byteLength(run.stdout)).toBeLessThan(1024);
      const grown = (await prefixBytes(prefix)) - before;
      expect(grown).toBeGreaterThan(0); // the feed record and its report are there
      expect(grown).toBeLessThan(MIB);
      expect(peakRssKib(run)).toBeLessThan(300 * 1024);
    },
    LONG,
  );
});

describe('feedproc serve: the drop folder and the JSON API', () => {
  let serve: ServeProcess;
  let secret: string;
  let mws: MwsTestClient;

  beforeAll(async () => {
    serve = await startServe({ FEEDPROC_MAX_MESSAGE_ELEMENTS: TEST_MAX_ELEMENTS, ...QUICK_DOORS });
    const key = await serve.createKey(MERCHANT);
    secret = key.secretKey;
    mws = new MwsTestClient(serve.port, key);
  }, LONG);
  afterAll(() => serve.stop());

  /** Moves a finished file into incoming/<MERCHANT>/ in one rename, as a writer should. */
  function drop(path: string, name: string): void {
    renameSync(path, join(merchantInbox(serve.feedsDir, MERCHANT), name));
  }

  async function feedEvent(file: string): Promise<Record<string, unknown>> {
    return serve.process.waitFor((e) => e['event'] === 'feed' && e['file'] === file, 120_000);
  }

  async function upload(path: string, feedType: string): Promise<string> {
    const body = readFileSync(path);
    const response = await fetch(`${serve.base}/feeds?feedType=${feedType}`, {
      method: 'POST',
      body,
      headers: {
        authorization: `Bearer ${secret}`,
        'content-md5': createHash('md5').update(body).digest('base64'),
        'content-type': 'application/octet-stream',
      },
    });
    const answer = (await response.json()) as { feedSubmissionId?: string };
    if (!answer.feedSubmissionId) throw new Error(`upload answered ${response.status} ${JSON.stringify(answer)}`);
    return answer.feedSubmissionId;
  }

  async function result(id: string): Promise<string> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const response = await fetch(`${serve.base}/feeds/${id}/result`, {
        headers: { authorization: `Bearer ${secret}` },
      });
      if (response.status === 200) return response.text();
      if (Date.now() > deadline) throw new Error(`no result for feed ${id}: ${response.status}`);
      await sleep(500);
    }
  }

  it(
    'the 1,000,000-column file: small reports, Redis growth under 1 MB, bounded server memory',
    async () => {
      const before = await prefixBytes(serve.prefix);
      drop(wideFile('wide-drop.txt'), 'wide.txt');
      const dropped = await feedEvent('wide.txt');
      expect(dropped).toMatchObject({ status: 'Rejected', messagesProcessed: 0 });
      const report = readFileSync(String(dropped['report']), 'utf8');
      expect(flatRows(report).map((row) => row[2])).toEqual(['97032']);
      expect(statSync(String(dropped['report'])).size).toBeLessThan(1024);
      expect(readdirSync(join(serve.feedsDir, 'failed', MERCHANT))).toEqual(['wide.txt']);

      const id = await upload(wideFile('wide-upload.txt'), FLAT_TYPE);
      const uploaded = await result(id);
      expect(flatRows(uploaded).map((row) => row[2])).toEqual(['97032']);
      expect(Buffer.byteLength(uploaded)).toBeLessThan(1024);

      const submitted = await mws.submit(FLAT_TYPE, readFileSync(wideFile('wide-mws.txt'), 'utf8'));
      await mws.waitDone(submitted.FeedSubmissionId);
      const answer = await mws.call('GetFeedSubmissionResult', { FeedSubmissionId: submitted.FeedSubmissionId });
      expect(answer.status).toBe(200);
      expect(flatRows(answer.text).map((row) => row[2])).toEqual(['97032']);
      expect(Buffer.byteLength(answer.text)).toBeLessThan(1024);

      const grown = (await prefixBytes(serve.prefix)) - before;
      expect(grown).toBeLessThan(MIB);
      expect(processPeakKib(serve.process.child.pid as number)).toBeLessThan(400 * 1024);
    },
    LONG,
  );

  it(
    'one huge message: rejected with 97030 through the drop folder and the JSON API, in bounded memory',
    async () => {
      drop(hugeMessageFile('huge-drop.xml', 2_000_000), 'huge.xml');
      const dropped = await feedEvent('huge.xml');
      expect(dropped).toMatchObject({ status: 'Rejected', messagesProcessed: 0 });
      expect(readFileSync(String(dropped['report']), 'utf8')).toContain('<ResultMessageCode>97030</ResultMessageCode>');

      const id = await upload(hugeMessageFile('huge-upload.xml', 2_000_000), XML_TYPE);
      const uploaded = await result(id);
      expect(uploaded).toContain('<StatusCode>Rejected</StatusCode>');
      expect(uploaded).toContain('<ResultMessageCode>97030</ResultMessageCode>');
      expect(processPeakKib(serve.process.child.pid as number)).toBeLessThan(400 * 1024);
    },
    LONG,
  );

  it(
    'a claimed file whose reading ended the process three times is given up with 97033, not read again',
    async () => {
      // What a process killed while reading leaves behind (e.g. by the kernel's OOM killer): the file in
      // processing/ and its claim record, which counts the submissions begun.
      const processing = join(serve.feedsDir, 'processing', MERCHANT);
      mkdirSync(processing, { recursive: true });
      const claim = { claimedAt: new Date().toISOString(), attempts: 3 };
      tmp.file('claim', JSON.stringify(claim));
      renameSync(join(tmp.dir, 'claim'), join(processing, '.killer.xml.claim'));
      renameSync(hugeMessageFile('killer.xml', 100_000), join(processing, 'killer.xml'));
      // A running watcher resumes processing/ only at start: this one is taken by the periodic rescan or a restart.
      serve.process.child.kill('SIGTERM');
      await serve.process.exited;
      const again = await startServe({
        FEEDPROC_FEEDS_DIR: serve.feedsDir,
        FEEDPROC_PREFIX: serve.prefix,
        ...QUICK_DOORS,
      });
      try {
        const given = await again.process.waitFor((e) => e['event'] === 'feed' && e['file'] === 'killer.xml', 120_000);
        expect(given).toMatchObject({ status: 'Rejected', messagesProcessed: 0 });
        const report = readFileSync(String(given['report']), 'utf8');
        expect(report).toContain('<ResultMessageCode>97033</ResultMessageCode>');
        expect(report).toContain('Processing this file stopped 3 times without finishing');
        expect(readdirSync(join(serve.feedsDir, 'failed', MERCHANT))).toContain('killer.xml');
        expect(existsSync(join(processing, 'killer.xml'))).toBe(false);
      } finally {
        await again.stop();
      }
    },
    LONG,
  );
});

describe('a file whose reading ends the process (feedproc watch, restarted as a supervisor would)', () => {
  const prefix = uniquePrefix();
  afterAll(() => removePrefix(redis, prefix));

  it(
    'is counted in its claim record at each start and given up with 97033 at the fourth, not read again',
    async () => {
      // A 2,000,000-element message with the element limit lifted is hundreds of MB of nodes: with a 96 MB heap,
      // V8 ends the process while the file is read, as the 160 MB file did to a default heap.
      const feedsDir = join(tmp.dir, 'killing-feeds');
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        FEEDPROC_REDIS_URL: testRedisUrl(),
        FEEDPROC_PREFIX: prefix,
        FEEDPROC_FEEDS_DIR: feedsDir,
        FEEDPROC_WATCH_STABLE_MS: '200',
        FEEDPROC_MAX_MESSAGE_ELEMENTS: '100000000',
        NODE_OPTIONS: '--max-old-space-size=96',
      };
      renameSync(hugeMessageFile('oom.xml', 2_000_000), join(merchantInbox(feedsDir, MERCHANT), 'oom.xml'));
      const claimRecord = join(feedsDir, 'processing', MERCHANT, '.oom.xml.claim');
      for (let start = 1; start <= 3; start += 1) {
        const watch = spawnCli(['watch'], env);
        const ended = await watch.exited;
        expect(ended).not.toEqual({ code: 0, signal: null }); // it died reading the file
        expect(watch.stdout()).not.toContain('"event":"feed"');
        expect(JSON.parse(readFileSync(claimRecord, 'utf8'))).toMatchObject({ attempts: start });
      }
      const watch = spawnCli(['watch'], env);
      try {
        const line = await waitUntil('the feed event of the fourth start', () =>
          watch
            .stdout()
            .split('\n')
            .find((l) => l.includes('"event":"feed"')),
        );
        const event = JSON.parse(line) as Record<string, unknown>;
        expect(event).toMatchObject({ file: 'oom.xml', status: 'Rejected', messagesProcessed: 0 });
        const report = readFileSync(String(event['report']), 'utf8');
        expect(report).toContain('<ResultMessageCode>97033</ResultMessageCode>');
        expect(report).toContain('Processing this file stopped 3 times without finishing');
        expect(readdirSync(join(feedsDir, 'failed', MERCHANT))).toEqual(['oom.xml']);
        expect(existsSync(claimRecord)).toBe(false);
        expect(watch.alive()).toBe(true); // the fourth start read nothing and lives on
      } finally {
        watch.child.kill('SIGTERM');
        await watch.exited;
      }
    },
    LONG,
  );
});

describe('safe cells', () => {
  it(
    'prefixes SKUs that a spreadsheet would evaluate with a quote in the flat report',
    async () => {
      const skus = ['=HYPERLINK("http://e.x/a","b")', '@SUM(A1:A9)', '+1', '-2', 'PLAIN-1'];
      const rows = skus.map((sku) => `${sku}\tmany`).join('\n');
      const run = await runCli(['validate', tmp.file('formulas.txt', `sku\tquantity\n${rows}\n`)], { env: cliEnv() });
      expect(run.code).toBe(3);
      const cells = flatRows(run.stdout).map((row) => row[1]);
      expect(cells).toEqual([`'=HYPERLINK("http://e.x/a","b")`, `'@SUM(A1:A9)`, `'+1`, `'-2`, 'PLAIN-1']);
      for (const row of flatRows(run.stdout)) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\r]/);
    },
    LONG,
  );

  it(
    'prefixes a file name that starts a formula in the text report',
    async () => {
      const run = await runCli(['validate', '--format', 'text', tmp.file('=cmd.txt', 'sku\tquantity\nA\tmany\n')], {
        env: cliEnv(),
      });
      expect(run.code).toBe(3);
      const lines = run.stdout.split('\n').filter(Boolean);
      expect(lines.length).toBeGreaterThan(1);
      for (const line of lines) expect(line.startsWith("'=cmd.txt")).toBe(true);
    },
    LONG,
  );
});
