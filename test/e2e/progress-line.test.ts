/**
 * The progress line (docs/cli.md#progress) through a real pseudo-terminal (util-linux `script`): drawn on stderr in
 * place for files over 1 MB by validate, process, check-folder, orders import and submit --wait, erased before the
 * report, also when only stdout is piped, and never when stderr is a pipe or with `--format json` to a pipe.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { adjustmentFeed } from '../helpers/feeds.js';
import { removePrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { feedprocCommand, runOnTerminal } from '../helpers/terminal.js';
import { makeTempDir } from '../helpers/tmp.js';
import { startLongRunning } from '../helpers/watcher.js';

const ERASE = '\r\x1b[2K';
const READING = /big\.xml: read \d+\.\d of \d+\.\d MB, [\d,]+ messages \([\d,]+\/s\)/;
const MESSAGES = 6000; // about 2.6 MB
/** The reading phase of another file than big.xml. */
const reading = (name: string): RegExp =>
  new RegExp(`${name.replace(/\./g, '\\.')}: read \\d+\\.\\d of \\d+\\.\\d MB, [\\d,]+ messages`);

/** The sample order report's orders copied under new order ids until the file is over 1 MB (2,400 orders). */
function bigOrderReport(): string {
  const [header, ...rows] = readFileSync(join(REPO_ROOT, 'samples', 'order-report.txt'), 'utf8')
    .split('\n')
    .filter((line) => line !== '');
  const copies = Array.from({ length: 200 }, (_, copy) =>
    rows.map((row) => row.replace(/^(\d{3})-\d{7}-/, `$1-${String(copy).padStart(7, '0')}-`)),
  );
  return [header, ...copies.flat(), ''].join('\n');
}

const tmp = makeTempDir();
const big = tmp.file('big.xml', adjustmentFeed(MESSAGES));
const small = tmp.file('small.xml', adjustmentFeed(10));
const orders = tmp.file('orders.txt', bigOrderReport());
const prefix = uniquePrefix();
const env = {
  ...process.env,
  FEEDPROC_REDIS_URL: testRedisUrl(),
  FEEDPROC_PREFIX: prefix,
  FEEDPROC_MERCHANT: 'A1MERCHANT',
};

afterAll(async () => {
  tmp.cleanup();
  const redis = new Redis(testRedisUrl());
  await removePrefix(redis, prefix);
  await redis.quit();
});

/** What the terminal shows once every erase has done its work: the text after the last erase of each line. */
function settled(screen: string): string {
  return screen
    .split('\n')
    .map((line) => line.slice(line.lastIndexOf(ERASE) === -1 ? 0 : line.lastIndexOf(ERASE) + ERASE.length))
    .join('\n');
}

describe('the progress line', () => {
  it('is drawn in place on a terminal while a big file is validated, and gone when the report prints', async () => {
    const run = await runOnTerminal(feedprocCommand(['validate', big, '--format', 'text']), env);
    expect(run.code).toBe(0);
    expect(run.screen.startsWith(ERASE)).toBe(true);
    expect(run.screen).toMatch(READING);
    expect(settled(run.screen)).toMatch(/^big\.xml: _POST_PAYMENT_ADJUSTMENT_DATA_ \(xml, UTF-8\): Complete/);
    expect(settled(run.screen)).not.toMatch(/MB,/);
  });

  it('is not drawn when stderr is a pipe, nor for JSON going to a pipe, nor for a small file', async () => {
    const stderrPiped = await runOnTerminal(
      `${feedprocCommand(['validate', big, '--format', 'text'])} 2>&1 | cat`,
      env,
    );
    const jsonPiped = await runOnTerminal(`${feedprocCommand(['validate', big, '--format', 'json'])} | cat`, env);
    const smallFile = await runOnTerminal(feedprocCommand(['validate', small, '--format', 'text']), env);
    const noTerminal = await runCli(['validate', big, '--format', 'text'], { env });
    for (const screen of [
      stderrPiped.screen,
      jsonPiped.screen,
      smallFile.screen,
      noTerminal.stdout + noTerminal.stderr,
    ])
      expect(screen).not.toContain(ERASE);
    expect(stderrPiped.screen).toMatch(/Complete: 6000 messages/);
    expect(JSON.parse(jsonPiped.screen)).toMatchObject({ statusCode: 'Complete' });
    expect(noTerminal.code).toBe(0);
  });

  it('shows the reading, then the messages applied of the total, for process on a terminal', async () => {
    const run = await runOnTerminal(feedprocCommand(['process', big, '--format', 'text']), env);
    expect(run.code).toBe(3); // the ledger refuses adjustments of orders it does not know: applied, with errors
    expect(run.screen).toMatch(READING);
    expect(run.screen).toMatch(/big\.xml: applied [\d,]+ of 6,000 messages/);
    expect(settled(run.screen)).toMatch(/^big\.xml: .*Complete: 6000 messages/);
  });

  it('is drawn per big file by check-folder and erased before each file is logged', async () => {
    const feeds = join(tmp.dir, 'feeds');
    mkdirSync(join(feeds, 'incoming'), { recursive: true });
    copyFileSync(big, join(feeds, 'incoming', 'big.xml'));
    const run = await runOnTerminal(feedprocCommand(['check-folder', '--feeds-dir', feeds]), env);
    expect(run.code).toBe(0);
    expect(run.screen).toMatch(READING);
    expect(settled(run.screen)).toMatch(/^big\.xml: Complete, 6000 processed, 0 with errors -> /);
  });
  it('is drawn when only stdout is piped and stderr is the terminal', async () => {
    const run = await runOnTerminal(`${feedprocCommand(['validate', big, '--format', 'text'])} | cat`, env);
    expect(run.code).toBe(0);
    expect(run.screen).toMatch(READING);
    expect(run.screen).toContain(ERASE);
    expect(settled(run.screen)).toMatch(/^big\.xml: .*Complete: 6000 messages/m);
  });

  it('shows the reading, then the orders imported of the total, for orders import on a terminal only', async () => {
    const run = await runOnTerminal(feedprocCommand(['orders', 'import', orders]), env);
    expect(run.code).toBe(0);
    expect(run.screen).toMatch(reading('orders.txt'));
    expect(run.screen).toMatch(/orders\.txt: applied [\d,]+ of 2,400 orders/);
    expect(settled(run.screen)).toMatch(/orders\.txt: 2400 orders \(3000 items, UTF-8\): 2400 created/);
    expect(settled(run.screen)).not.toMatch(/MB,|applied/);
    const piped = await runOnTerminal(`${feedprocCommand(['orders', 'import', orders])} 2>&1 | cat`, env);
    expect(piped.code).toBe(0);
    expect(piped.screen).not.toContain(ERASE);
    expect(piped.screen).toMatch(
      /orders\.txt: 2400 orders \(3000 items, UTF-8\): 0 created, 0 updated, 2400 unchanged/,
    );
  });

  it('shows the reading, then the messages applied by the workers, for submit --wait on a terminal only', async () => {
    // Two files of their own: a file submitted again is a duplicate, which no worker applies.
    const onTerminal = tmp.file('submitted.xml', adjustmentFeed(MESSAGES + 1));
    const onPipe = tmp.file('piped.xml', adjustmentFeed(MESSAGES + 2));
    const worker = startLongRunning(['worker', '--concurrency', '2'], env);
    try {
      const run = await runOnTerminal(feedprocCommand(['submit', '--wait', onTerminal, '--format', 'text']), env);
      expect(run.code).toBe(3); // adjustments of orders the ledger does not know: applied, with errors
      expect(run.screen).toMatch(reading('submitted.xml'));
      expect(run.screen).toMatch(/submitted\.xml: applied [\d,]+ of 6,001 messages/);
      expect(settled(run.screen)).toMatch(/^submitted\.xml: .*Complete: 6001 messages/);
      const piped = await runOnTerminal(
        `${feedprocCommand(['submit', '--wait', onPipe, '--format', 'text'])} 2>&1 | cat`,
        env,
      );
      expect(piped.screen).not.toContain(ERASE);
      expect(piped.screen).toMatch(/^piped\.xml: .*Complete: 6002 messages/);
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
  }, 120_000);
});
