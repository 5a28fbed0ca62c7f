/**
 * Chaos at the drop folder's end (anchors' scenarios 10 and 16).
 * (10) `feedproc watch` dies (SIGKILL, FEEDPROC_FAULT=exit-after-report) after writing a file's report and
 *      before moving the file to done/. Restarted, it finds the claimed file with its FeedSubmissionId,
 *      submits nothing new, rewrites the same report and moves the file: one feed, one report, one file in
 *      done/, the ledger as the oracle says.
 * (16) A file with zero valid messages still gets its final report and moves to done/; no job is left.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  chaosSeed,
  makeWorld,
  MERCHANT,
  oracle,
  recordFigures,
  seededRandom,
  writeFeed,
} from '../helpers/chaos-world.js';
import { runCliToEnd, spawnCli, type CliProcess } from '../helpers/chaos-processes.js';
import { waitUntil } from '../helpers/wait.js';
import { chaosFeedKeys, FIGURES_DIR, openScenario, PREFIX, verdict, type Scenario } from '../helpers/chaos-scenario.js';

const seed = chaosSeed();

describe('the drop folder after a crash between report and move, and with a file of no valid message', () => {
  let scenario: Scenario;
  const watchers: CliProcess[] = [];
  afterAll(async () => {
    for (const w of watchers) if (w.alive()) w.child.kill('SIGKILL');
    await Promise.all(watchers.map((w) => w.exited));
    await scenario?.close();
  });
  const feedsDir = (): string => join(scenario.dir, 'feeds');
  const drop = (name: string, write: (path: string) => void): void => {
    const inbox = join(feedsDir(), 'incoming', MERCHANT);
    mkdirSync(inbox, { recursive: true });
    write(join(inbox, `.${name}.tmp`));
    renameSync(join(inbox, `.${name}.tmp`), join(inbox, name));
  };
  const watch = (extra: Record<string, string> = {}): CliProcess => {
    const w = spawnCli(['watch', '--concurrency', '2'], scenario.env({ FEEDPROC_JOB_LOCK_MS: '1000', ...extra }));
    watchers.push(w);
    return w;
  };
  const reports = (): string[] =>
    readdirSync(join(feedsDir(), 'reports'))
      .filter((n) => !n.startsWith('.'))
      .sort();

  it(`(10) a crash after the report is written and before the move: resumed without a new feed (seed ${seed})`, async () => {
    const started = Date.now();
    const world = makeWorld(seededRandom(seed), 400, 4_000);
    const expected = oracle(world);
    scenario = await openScenario('drop-folder', { appendfsync: null });
    await scenario.prepare(world, 'unused.xml');
    const first = watch({ FEEDPROC_FAULT: 'exit-after-report' });
    drop('refunds.xml', (path) => writeFeed(path, world));
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // The crash point: the report is on disk, the file still claimed in processing/ with its feed id.
    expect(reports()).toEqual(['refunds.xml.50001.report.xml']);
    const reportBefore = readFileSync(join(feedsDir(), 'reports', 'refunds.xml.50001.report.xml'), 'utf8');
    expect(readdirSync(join(feedsDir(), 'processing', MERCHANT)).sort()).toEqual(['.refunds.xml.claim', 'refunds.xml']);
    expect(existsSync(join(feedsDir(), 'done', MERCHANT, 'refunds.xml'))).toBe(false);

    const second = watch();
    await waitUntil(
      'refunds.xml in done/',
      async () => (existsSync(join(feedsDir(), 'done', MERCHANT, 'refunds.xml')) ? true : undefined),
      60_000,
    );
    expect(readdirSync(join(feedsDir(), 'processing', MERCHANT))).toEqual([]);
    expect(reports()).toEqual(['refunds.xml.50001.report.xml']);
    expect(readFileSync(join(feedsDir(), 'reports', 'refunds.xml.50001.report.xml'), 'utf8')).toBe(reportBefore);
    const feeds = await runCliToEnd(['feeds'], scenario.env());
    expect(
      feeds.stdout
        .trim()
        .split('\n')
        .map((line) => line.split('\t').slice(0, 2)),
    ).toEqual([['50001', '_DONE_']]); // no new feed
    const v = await verdict(scenario, world, expected, '50001');
    expect(v.comparison).toEqual({ lost: [], doubled: [], other: [] });
    expect(v.events).toEqual({ got: expected.cancellations, want: expected.cancellations });
    expect(v.report).toEqual(v.expectedReport);

    // (16) Zero valid messages: every message lacks its AmazonOrderID.
    drop('no-valid.xml', (path) => {
      writeFeed(path, { orders: world.orders, messages: world.messages.slice(0, 50) });
      writeFileSync(path, readFileSync(path, 'utf8').replace(/<AmazonOrderID>[^<]*<\/AmazonOrderID>/g, ''));
    });
    await waitUntil(
      'no-valid.xml in done/',
      async () => (existsSync(join(feedsDir(), 'done', MERCHANT, 'no-valid.xml')) ? true : undefined),
      60_000,
    );
    expect(reports()).toEqual(['no-valid.xml.50002.report.xml', 'refunds.xml.50001.report.xml']);
    const shown = await runCliToEnd(['report', '50002', '--format', 'json'], scenario.env());
    const empty = JSON.parse(shown.stdout) as {
      statusCode: string;
      summary: Record<string, number>;
      results: unknown[];
    };
    expect(empty.summary).toEqual({
      messagesProcessed: 50,
      messagesSuccessful: 0,
      messagesWithError: 50,
      messagesWithWarning: 0,
    });
    expect(empty.results).toHaveLength(50);
    const client = scenario.redis.client();
    expect(
      await client.exists(
        `${PREFIX}:feed-apply:wait`,
        `${PREFIX}:feed-apply:active`,
        chaosFeedKeys('50002').validation,
      ),
    ).toBe(0);
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    recordFigures(
      'drop-folder',
      {
        seed,
        messages: world.messages.length,
        crashedAfterReport: true,
        feedsAfterRestart: 1,
        reports: 1,
        zeroValidMessages: 50,
        zeroValidFinalised: true,
        lost: v.comparison.lost.length,
        doubled: v.comparison.doubled.length,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      },
      FIGURES_DIR,
    );
  }, 120_000);
});
