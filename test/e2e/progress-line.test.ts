/**
 * The progress line (docs/cli.md#progress) through a real pseudo-terminal (util-linux `script`): drawn on stderr in
 * place for files over 1 MB, erased before the report, and never on a pipe or with `--format json` to a pipe.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { runCli } from '../helpers/cli.js';
import { adjustmentFeed } from '../helpers/feeds.js';
import { removePrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { feedprocCommand, runOnTerminal } from '../helpers/terminal.js';
import { makeTempDir } from '../helpers/tmp.js';

const ERASE = '\r\x1b[2K';
const READING = /big\.xml: read \d+\.\d of \d+\.\d MB, [\d,]+ messages \([\d,]+\/s\)/;
const MESSAGES = 6000; // about 2.6 MB

const tmp = makeTempDir();
const big = tmp.file('big.xml', adjustmentFeed(MESSAGES));
const small = tmp.file('small.xml', adjustmentFeed(10));
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
});
