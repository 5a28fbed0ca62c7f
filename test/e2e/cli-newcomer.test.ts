/**
 * The command line as a newcomer meets it: Amazon's order report through `validate` and `check-folder` (merchant
 * subfolders too), the same data from any directory (the private redis-server in the per-user data folder), a
 * read that would start an empty server saying so, not found as its own exit code (6), `--version`, each command's
 * `--format` choices, text that reads as text, table headers on a terminal, `--merchant` in `--help`.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { CLI, REPO_ROOT, firstCliOutput, runCli } from '../helpers/cli.js';
import { leafCommands, placeholderArgs } from '../helpers/cli-tree.js';
import { removePrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { freePort } from '../helpers/redis-server.js';
import { makeTempDir } from '../helpers/tmp.js';
import { startLongRunning } from '../helpers/watcher.js';

const MERCHANT = 'A1KW3PLX9Q7ZT2';
const ORDER = '405-3812004-6650731';
const SAMPLE = (name: string): string => join(REPO_ROOT, 'samples', name);
const tmp = makeTempDir('feedproc-newcomer-');
const prefix = uniquePrefix();
/** The test suite's Redis, this file's own prefix, the sample orders imported. */
const env: NodeJS.ProcessEnv = { ...process.env, FEEDPROC_REDIS_URL: testRedisUrl(), FEEDPROC_PREFIX: prefix };
delete env['FEEDPROC_MERCHANT'];

beforeAll(async () => {
  const imported = await runCli(['orders', 'import', SAMPLE('order-report.txt'), '--merchant', MERCHANT], { env });
  expect(imported.code).toBe(0);
});
afterAll(async () => {
  const redis = new Redis(testRedisUrl());
  await removePrefix(redis, prefix);
  await redis.quit();
  tmp.cleanup();
});

describe("Amazon's order report in validate and check-folder", () => {
  it('validate checks it as an import would read it, and --type _GET_FLAT_FILE_ORDERS_DATA_ is known', async () => {
    const run = await runCli(['validate', SAMPLE('order-report.txt')]);
    expect(run).toEqual({
      code: 0,
      stdout:
        'order-report.txt: Amazon order report (_GET_FLAT_FILE_ORDERS_DATA_, UTF-8): 12 orders, 15 items would be imported; 0 rows skipped\n',
      stderr: '',
    });
    const typed = await runCli([
      'validate',
      '--type',
      '_GET_FLAT_FILE_ORDERS_DATA_',
      '--format',
      'json',
      SAMPLE('order-report.txt'),
    ]);
    expect(typed.code).toBe(0);
    expect(JSON.parse(typed.stdout)).toMatchObject({ feedType: '_GET_FLAT_FILE_ORDERS_DATA_', orders: 12, items: 15 });
    const notOne = await runCli([
      'validate',
      '--type',
      'GET_FLAT_FILE_ORDERS_DATA',
      SAMPLE('flat-adjustment-valid.txt'),
    ]);
    expect(notOne.code).toBe(4);
    expect(notOne.stdout).toMatch(/not importable: no quantity-purchased column/);
    const asXml = await runCli(['validate', '--format', 'xml', SAMPLE('order-report.txt')]);
    expect(asXml.code).toBe(2);
    expect(asXml.stderr).toMatch(/^feedproc: CLI_USAGE: an order report .* is checked as text or json, not xml\n$/);
  });

  it('check-folder walks incoming/<merchant>/ as the watcher does and checks the order report as one', async () => {
    const feeds = join(tmp.dir, 'check');
    const inbox = join(feeds, 'incoming', MERCHANT);
    mkdirSync(inbox, { recursive: true });
    copyFileSync(SAMPLE('order-report.txt'), join(inbox, 'order-report.txt'));
    copyFileSync(SAMPLE('flat-adjustment-valid.txt'), join(inbox, 'flat-adjustment-valid.txt'));
    copyFileSync(SAMPLE('xml-inventory-invalid.xml'), join(feeds, 'incoming', 'top.xml'));
    const run = await runCli(['check-folder', '--feeds-dir', feeds]);
    expect(run.code).toBe(3);
    expect(run.stdout.split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(`^${MERCHANT}/flat-adjustment-valid\\.txt: Complete, 7 processed, 0 with errors -> `),
      ),
      expect.stringMatching(
        new RegExp(`^${MERCHANT}/order-report\\.txt: Amazon order report .*: 12 orders, 15 items would be imported`),
      ),
      expect.stringMatching(/^top\.xml: Complete, 12 processed, 9 with errors -> /),
      '',
    ]);
    expect(readdirSync(join(feeds, 'reports')).sort()).toEqual([
      `flat-adjustment-valid.txt.${MERCHANT}.merchant-check.report.txt`,
      `order-report.txt.${MERCHANT}.merchant-check-import.txt`,
      'top.xml.check.report.xml',
    ]);
  });
});

describe('one place for the data', () => {
  it('finds the same private redis-server from any directory, and a read with no data says so', async () => {
    const { FEEDPROC_REDIS_URL: _u, FEEDPROC_FEEDS_DIR: _f, FEEDPROC_MERCHANT: _m, ...inherited } = process.env;
    const own = {
      ...inherited,
      XDG_DATA_HOME: join(tmp.dir, 'xdg'),
      FEEDPROC_LOCAL_REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
    };
    const [a, b] = [join(tmp.dir, 'a'), join(tmp.dir, 'b')];
    mkdirSync(a);
    mkdirSync(b);
    const before = await runCli(['order', ORDER, '--merchant', MERCHANT], { cwd: a, env: own });
    expect(before.code).toBe(2);
    expect(before.stderr).toMatch(
      new RegExp(
        `^feedproc: CLI_NO_DATA: No Redis .* no private redis-server has data in ${join(tmp.dir, 'xdg')}/feedproc/redis yet: .*\\n$`,
      ),
    );
    expect(existsSync(join(tmp.dir, 'xdg'))).toBe(false);
    const imported = await runCli(['orders', 'import', SAMPLE('order-report.txt'), '--merchant', MERCHANT], {
      cwd: a,
      env: own,
    });
    expect(imported.code).toBe(0);
    const fromA = await runCli(['order', ORDER, '--merchant', MERCHANT, '--format', 'json'], { cwd: a, env: own });
    const fromB = await runCli(['order', ORDER, '--merchant', MERCHANT, '--format', 'json'], { cwd: b, env: own });
    expect(fromB.code).toBe(0);
    expect(JSON.parse(fromB.stdout)).toEqual(JSON.parse(fromA.stdout));
    expect([readdirSync(a), readdirSync(b)]).toEqual([[], []]); // no feeds/ left behind
  }, 60_000);
});

describe('exit codes and output', () => {
  it('answers not found with exit 6 and one line', async () => {
    const cases: Array<[string[], string]> = [
      [
        ['order', '999-0000000-0000000', '--merchant', MERCHANT],
        `merchant ${MERCHANT} has no order 999-0000000-0000000`,
      ],
      [['report', '99999'], 'no feed 99999'],
      [
        ['inventory', 'NO-SUCH-SKU', '--merchant', MERCHANT],
        `merchant ${MERCHANT} has no inventory record for SKU NO-SUCH-SKU`,
      ],
      [['keys', 'revoke', 'AKNOSUCHKEY'], 'no access key AKNOSUCHKEY'],
      [
        ['destinations', 'remove', 'dest-0000000000000000', '--merchant', MERCHANT],
        `merchant ${MERCHANT} has no destination dest-0000000000000000`,
      ],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args, { env });
      expect([args.join(' '), run.code, run.stdout, run.stderr]).toEqual([
        args.join(' '),
        6,
        '',
        `feedproc: CLI_NOT_FOUND: ${message}\n`,
      ]);
    }
  });

  it('prints its version', async () => {
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('offers each command only the formats it implements, and its text reads as text', async () => {
    for (const format of ['text', 'json']) {
      const run = await runCli(['order', ORDER, '--merchant', MERCHANT, '--format', format], { env });
      expect([format, run.code]).toEqual([format, 0]);
    }
    const text = await runCli(['order', ORDER, '--merchant', MERCHANT], { env });
    expect(text.stdout).not.toMatch(/[{}"]/);
    expect(text.stdout).toContain('charged PLN 153.12 (Principal 129.00, Tax 24.12); refunded nothing');
    for (const [command, format] of [
      ['order', 'xml'],
      ['order', 'flat'],
      ['inventory', 'listings'],
      ['feeds', 'xml'],
    ] as const) {
      const run = await runCli([command, 'X', '--format', format], { env });
      expect([command, format, run.code, run.stderr]).toEqual([
        command,
        format,
        2,
        expect.stringContaining('Allowed choices are text, json'),
      ]);
    }
    for (const format of ['xml', 'flat', 'json', 'text']) {
      const run = await runCli(['validate', '--format', format, SAMPLE('flat-adjustment-valid.txt')]);
      expect([format, run.code, run.stdout.length > 0]).toEqual([format, 0, true]);
    }
  });

  it('shows --merchant in the --help of exactly the commands that stop without it', async () => {
    // Run bare, every command shows whether it needs a merchant: those that do stop at once and say so. An
    // unreachable Redis stops (or holds) the others before they touch anything; a temp folder is their feeds dir.
    const bare = { ...env, FEEDPROC_REDIS_URL: 'redis://127.0.0.1:1', FEEDPROC_FEEDS_DIR: join(tmp.dir, 'bare') };
    const required = 'Required: --merchant ID (or FEEDPROC_MERCHANT)';
    const seen: Array<[string, boolean, boolean]> = [];
    for (const leaf of leafCommands()) {
      const args = placeholderArgs(leaf, SAMPLE('flat-adjustment-valid.txt'), {
        '--url': 'https://erp.example/hook',
        '--reason': 'NoInventory',
      });
      const said = await firstCliOutput(args, { env: bare, cwd: tmp.dir });
      const help = await runCli([...leaf.words, '--help']);
      seen.push([
        leaf.words.join(' '),
        said.includes('name the merchant with --merchant ID'),
        help.stdout.includes(required),
      ]);
    }
    expect(seen.filter(([, needs, shown]) => needs !== shown)).toEqual([]);
    expect(seen.filter(([, needs]) => needs).map(([name]) => name)).toEqual(
      expect.arrayContaining(['order', 'process', 'keys create', 'destinations add', 'destinations remove']),
    );
  }, 120_000);

  it('gives keys list, feeds and destinations list a header on a terminal, plain rows in a pipe', async () => {
    expect((await runCli(['keys', 'create', '--merchant', MERCHANT], { env })).code).toBe(0);
    expect((await runCli(['process', SAMPLE('flat-adjustment-valid.txt'), '--merchant', MERCHANT], { env })).code).toBe(
      0,
    );
    const url = 'https://erp.example/hooks/amazon';
    expect((await runCli(['destinations', 'add', '--url', url, '--merchant', MERCHANT], { env })).code).toBe(0);
    const onTerminal = (args: string): string[] =>
      spawnSync('script', ['-qec', `${process.execPath} ${CLI} ${args}`, '/dev/null'], {
        env,
        encoding: 'utf8',
      }).stdout.split(/\r?\n/);
    expect(onTerminal('keys list')[0]).toMatch(/^ACCESS KEY ID\s+MERCHANT\s+CREATED\s+STATE$/);
    const feeds = onTerminal('feeds');
    expect(feeds[0]).toMatch(/^FEED ID\s+STATUS\s+FEED TYPE\s+MERCHANT\s+SUBMITTED\s+FILE$/);
    expect(feeds[1]).toMatch(/^\d+\s+_DONE_\s+_POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA_\s/);
    const destinations = onTerminal(`destinations list --merchant ${MERCHANT}`);
    expect(destinations[0]).toMatch(/^DESTINATION ID\s+URL\s+CREATED$/);
    expect(destinations[1]).toMatch(new RegExp(`^dest-[0-9a-f]+\\s+${url}\\s+\\d{4}-`));
    const piped = await runCli(['keys', 'list'], { env });
    expect(piped.stdout.split('\n')[0]).toMatch(new RegExp(`^\\S+\\t${MERCHANT}\\t`));
    const pipedDestinations = await runCli(['destinations', 'list', '--merchant', MERCHANT], { env });
    expect(pipedDestinations.stdout.split('\n')[0]).toMatch(new RegExp(`^dest-[0-9a-f]+\\t${url}\\t`));
  });
});

/** Whether a command's output is in the format asked for. */
const parses = (out: string): boolean => {
  try {
    JSON.parse(out);
    return true;
  } catch {
    return false;
  }
};
const IN_FORMAT: Readonly<Record<string, (out: string) => boolean>> = {
  json: parses,
  listings: (out) => parses(out) && ['header', 'issues', 'summary'].every((key) => key in JSON.parse(out)),
  xml: (out) => out.startsWith('<?xml '),
  flat: (out) => out.startsWith('Feed Processing Summary:\n'),
  text: (out) => out.trim() !== '' && !parses(out) && !out.startsWith('<'),
};

describe('every command, every --format it lists', () => {
  it('prints each format it offers, walking the whole command tree', async () => {
    const inventory = SAMPLE('xml-inventory-valid.xml');
    const processed = await runCli(['process', inventory, '--merchant', MERCHANT, '--format', 'json'], { env });
    expect(processed.code).toBe(0);
    const feedId = (JSON.parse(processed.stdout) as { feedSubmissionId: string }).feedSubmissionId;
    const cancelList = tmp.file('cancel.txt', '405-4479125-8803316\tNoInventory\n');
    const orderToCancel: Record<string, string> = { text: '405-2268390-5512084', json: '407-5531702-1189363' };
    const adjustments = SAMPLE('flat-adjustment-valid.txt');
    const m = ['--merchant', MERCHANT];
    /** How to run each command that has --format; one missing here fails the test. */
    const runs: Record<string, (format: string) => string[]> = {
      validate: () => ['validate', adjustments],
      process: () => ['process', adjustments, ...m],
      submit: () => ['submit', '--wait', adjustments, ...m],
      report: () => ['report', feedId],
      feeds: () => ['feeds'],
      order: () => ['order', ORDER, ...m],
      inventory: () => ['inventory', 'KUBEK-350-NIEBIESKI', ...m],
      'keys create': () => ['keys', 'create', ...m],
      'keys list': () => ['keys', 'list'],
      'destinations add': () => ['destinations', 'add', '--url', 'https://erp.example/a', ...m],
      'destinations list': () => ['destinations', 'list', ...m],
      'cancel-order': (format) => ['cancel-order', orderToCancel[format] ?? '', '--reason', 'NoInventory', ...m],
      'cancel-orders': () => ['cancel-orders', cancelList, ...m],
      metrics: () => ['metrics'],
    };
    const withFormat = leafCommands().filter((leaf) => leaf.formats.length > 0);
    expect(withFormat.map((leaf) => leaf.words.join(' ')).sort()).toEqual(Object.keys(runs).sort());
    const worker = startLongRunning(['worker', '--concurrency', '1'], env); // applies what `submit --wait` queues
    const wrong: string[] = [];
    try {
      for (const leaf of withFormat)
        for (const format of leaf.formats) {
          const args = [...(runs[leaf.words.join(' ')]?.(format) ?? []), '--format', format];
          const run = await runCli(args, { env });
          const check = IN_FORMAT[format];
          if (run.code !== 0 || check === undefined || !check(run.stdout))
            wrong.push(`${args.join(' ')}: exit ${run.code}: ${run.stdout.slice(0, 80)}${run.stderr}`);
        }
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
    expect(wrong).toEqual([]);
  }, 240_000);
});
