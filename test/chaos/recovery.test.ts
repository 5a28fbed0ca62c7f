/**
 * The recovery pass (src/queue/recovery.ts), each stuck state produced for real and then resolved:
 * (a) a job that runs out of attempts (FEEDPROC_FAULT=fail-message with FEEDPROC_JOB_ATTEMPTS=2): the feed is
 *     finalised, its report lists exactly the messages not applied (97040), and the ledger equals the oracle of
 *     the messages it says were applied — none lost silently, none doubled;
 * (b) a submission killed before claiming its content (exit-before-claim): the ghost `_IN_PROGRESS_` record is
 *     cancelled (97042) and the same file submitted again is applied in full, every message once;
 * (c) an HTTP upload killed after its FeedSubmissionId was reserved (exit-after-reserve): the `_SUBMITTED_`
 *     record is cancelled (97043), the `.upload-*.tmp` body and the claim record without its file are removed;
 * (d) a dropped file that fails every time (its report cannot be written): moved to failed/ with a report why.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  chaosSeed,
  compareWithOracle,
  makeWorld,
  MERCHANT,
  oracle,
  readLedger,
  seededRandom,
  type JsonReport,
} from '../helpers/chaos-world.js';
import {
  killedAfterAll,
  RECOVERY_AT_ONCE,
  runCliToEnd,
  spawnCli,
  type CliProcess,
} from '../helpers/chaos-processes.js';
import { waitUntil } from '../helpers/wait.js';
import { chaosFeedKeys, closedAfterAll, openScenario, PREFIX, verdict } from '../helpers/chaos-scenario.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { merchantInbox } from '../helpers/watcher.js';

const seed = chaosSeed();

interface ReportResult {
  messageId: number;
  resultMessageCode: number;
  description: string;
}

describe('the recovery pass resolves every stuck state', () => {
  const { opened } = closedAfterAll();
  const running = killedAfterAll();
  const serves: ServeProcess[] = [];
  afterAll(async () => {
    for (const serve of serves) await serve.stop();
  });

  const startWorker = async (env: NodeJS.ProcessEnv): Promise<CliProcess> => {
    const worker = spawnCli(['worker', '--concurrency', '2'], env);
    running.push(worker);
    await worker.waitForStderr(/feedproc worker: \d+ concurrent jobs/);
    return worker;
  };

  it(`(a) a job out of attempts: the feed is finalised with every unapplied message listed (seed ${seed})`, async () => {
    const world = makeWorld(seededRandom(seed), 300, 2_000);
    const scenario = await openScenario('recovery-attempts', { appendfsync: null });
    opened.push(scenario);
    const feed = await scenario.prepare(world);
    const client = scenario.redis.client();
    const env = scenario.env({
      ...RECOVERY_AT_ONCE,
      FEEDPROC_JOB_ATTEMPTS: '2',
      FEEDPROC_JOB_BACKOFF_MS: '50',
      FEEDPROC_FAULT: 'fail-message=1000x99',
    });
    const worker = await startWorker(env);
    const submitted = await runCliToEnd(['submit', feed], env);
    expect([submitted.code, submitted.stdout.trim()]).toEqual([0, '50001']);
    await waitUntil('feed 50001 finalised', async () => {
      const status = await client.hget(chaosFeedKeys('50001').feed, 'status');
      return status === '_DONE_' ? status : undefined;
    });
    const shown = await runCliToEnd(['report', '50001', '--format', 'json'], env);
    const report = JSON.parse(shown.stdout) as JsonReport & { results: ReportResult[] };
    const notApplied = report.results.filter((r) => r.resultMessageCode === 97040);
    const note = report.results.find((r) => r.resultMessageCode === 97041);
    expect(notApplied.length).toBeGreaterThan(0);
    expect(note?.description).toContain(`${notApplied.length} were not`);
    expect(notApplied[0]?.description).toContain('after 2 attempts');
    // The ledger holds exactly the other messages, as the sequential oracle applies them.
    const missing = new Set(notApplied.map((r) => r.messageId));
    const applied = { ...world, messages: world.messages.filter((m) => !missing.has(m.messageId)) };
    const expected = oracle(applied);
    expect(compareWithOracle(await readLedger(client, PREFIX, world), expected)).toEqual({
      lost: [],
      doubled: [],
      other: [],
    });
    expect(report.summary.messagesWithError).toBe(expected.refusals.size + notApplied.length);
    expect(await client.hget(chaosFeedKeys('50001').feed, 'recovery')).toContain(`${notApplied.length} not applied`);
    expect(worker.stderr()).toContain('"event":"recovery"');
  }, 180_000);

  it(`(b) a submission killed before claiming its content: the ghost is cancelled, the file applied once when sent again (seed ${seed})`, async () => {
    const world = makeWorld(seededRandom(seed + 1), 300, 2_000);
    const expected = oracle(world);
    const scenario = await openScenario('recovery-ghost', { appendfsync: null });
    opened.push(scenario);
    const feed = await scenario.prepare(world);
    const client = scenario.redis.client();
    const killed = await runCliToEnd(['submit', feed], scenario.env({ FEEDPROC_FAULT: 'exit-before-claim' }));
    expect(killed.code).toBeNull(); // SIGKILLed itself at the fault point
    expect(await client.hget(chaosFeedKeys('50001').feed, 'status')).toBe('_IN_PROGRESS_');

    mkdirSync(join(scenario.dir, 'feeds')); // the drop folder this worker sees (no file claimed in it)
    const worker = await startWorker(scenario.env(RECOVERY_AT_ONCE));
    await waitUntil('the ghost cancelled', async () =>
      (await client.hget(chaosFeedKeys('50001').feed, 'status')) === '_CANCELLED_' ? true : undefined,
    );
    const ghost = await runCliToEnd(['report', '50001', '--format', 'json'], scenario.env());
    const ghostReport = JSON.parse(ghost.stdout) as { results: ReportResult[] };
    expect(ghostReport.results.map((r) => r.resultMessageCode)).toEqual([97042]);
    expect(worker.stderr()).toContain('cancelled by recovery');

    const again = await runCliToEnd(['submit', '--wait', '--format', 'json', feed], scenario.env());
    expect(again.code).toBe(3); // some messages refused by the ledger rules, as the oracle says
    expect((JSON.parse(again.stdout) as JsonReport).feedSubmissionId).toBe('50002');
    const v = await verdict(scenario, world, expected, '50002');
    expect(v.comparison).toEqual({ lost: [], doubled: [], other: [] });
    expect(v.events).toEqual({ got: expected.cancellations, want: expected.cancellations });
    expect(v.report).toEqual(v.expectedReport);
  }, 180_000);

  it('(c) an upload killed after its id was reserved: the record cancelled, its leftovers removed', async () => {
    const serve = await startServe({ FEEDPROC_FAULT: 'exit-after-reserve' });
    serves.push(serve);
    const key = await serve.createKey(MERCHANT);
    const body = readFileSync(join(REPO_ROOT, 'samples', 'flat-adjustment-valid.txt'));
    await fetch(`${serve.base}/feeds?feedType=_POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA_`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secretKey}` },
      body,
    }).catch(() => null); // the server kills itself at the fault point: no answer
    expect(await serve.process.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const inbox = join(serve.feedsDir, 'processing', MERCHANT);
    expect(readdirSync(inbox).filter((n) => /^\.upload-.+\.tmp$/.test(n))).toHaveLength(1);
    const feeds = await runCliToEnd(['feeds', '--format', 'json'], serve.env);
    const [reserved] = JSON.parse(feeds.stdout) as Array<{ feedSubmissionId: string; feedProcessingStatus: string }>;
    expect(reserved?.feedProcessingStatus).toBe('_SUBMITTED_');
    const id = reserved?.feedSubmissionId ?? '';

    const worker = await startWorker({ ...serve.env, ...RECOVERY_AT_ONCE, FEEDPROC_FAULT: '' });
    await waitUntil('the reservation cancelled and the upload body removed', async () => {
      const listed = JSON.parse((await runCliToEnd(['feeds', '--format', 'json'], serve.env)).stdout) as Array<{
        feedProcessingStatus: string;
      }>;
      const leftovers = readdirSync(inbox).filter((n) => n.startsWith('.upload-'));
      return listed[0]?.feedProcessingStatus === '_CANCELLED_' && leftovers.length === 0 ? true : undefined;
    });
    const shown = await runCliToEnd(['report', id, '--format', 'json'], serve.env);
    const report = JSON.parse(shown.stdout) as { results: ReportResult[] };
    expect(report.results.map((r) => r.resultMessageCode)).toEqual([97043]);
    expect(readdirSync(join(serve.feedsDir, 'processing', MERCHANT))).toEqual([]); // the orphan claim record too
    expect(worker.stderr()).toContain('removed-leftover');
  }, 120_000);

  it('(d) a dropped file that fails every time goes to failed/ with a report saying why', async () => {
    const scenario = await openScenario('recovery-failing-file', { appendfsync: null });
    opened.push(scenario);
    const world = makeWorld(seededRandom(seed + 2), 20, 30);
    const feed = await scenario.prepare(world);
    const feeds = join(scenario.dir, 'feeds');
    const watch = spawnCli(['watch'], scenario.env({ FEEDPROC_FILE_ATTEMPTS: '2' }));
    running.push(watch);
    await waitUntil('watch to start', async () => (watch.stdout().includes('"event":"watching"') ? true : undefined));
    // reports/ replaced by a plain file: every report written there fails (ENOTDIR), however often it is tried.
    rmSync(join(feeds, 'reports'), { recursive: true });
    writeFileSync(join(feeds, 'reports'), 'not a folder\n');
    copyFileSync(feed, join(merchantInbox(feeds, MERCHANT), 'feed.xml'));
    await waitUntil('the file moved to failed/', async () =>
      watch.stdout().includes('"event":"given-up"') ? true : undefined,
    );
    const failed = join(feeds, 'failed', MERCHANT);
    expect(existsSync(join(failed, 'feed.xml'))).toBe(true);
    const why = readFileSync(join(failed, 'feed.xml.failed.txt'), 'utf8');
    expect(why).toContain('The file "feed.xml" could not be processed after 2 attempts');
    expect(why).toContain(join(feeds, 'reports')); // the reason names what kept failing
    expect(existsSync(join(feeds, 'processing', MERCHANT, 'feed.xml'))).toBe(false);
  }, 120_000);
});
