/**
 * The recovery pass's other paths, each produced for real (recovery.test.ts has the first four):
 * (e) a validated feed whose jobs are gone (removed from the queue): two workers start at once, their passes
 *     race for it, one enqueues its partitions again, and every message is applied once;
 * (f) a job out of attempts before it applied anything: the feed ends `_CANCELLED_` with every message listed as
 *     not applied (97040) and the ledger untouched;
 * (g) what a merchant sees on the feed's page: its jobs' states while one waits out its back-off, then the
 *     recovery's decision.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { APPLY_QUEUE } from '../../src/queue/names.js';
import { chaosSeed, makeWorld, oracle, readLedger, seededRandom, compareWithOracle } from '../helpers/chaos-world.js';
import {
  killedAfterAll,
  RECOVERY_AT_ONCE,
  runCliToEnd,
  spawnCli,
  type CliProcess,
} from '../helpers/chaos-processes.js';
import { chaosFeedKeys, closedAfterAll, openScenario, PREFIX, verdict } from '../helpers/chaos-scenario.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { call } from '../helpers/json-client.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { until, waitUntil } from '../helpers/wait.js';
import { recentOrderReport, WebClient } from '../helpers/web-client.js';

const seed = chaosSeed();

interface ReportResult {
  messageId: number;
  resultMessageCode: number;
}

describe('the recovery pass: jobs gone, nothing applied, the feed page', () => {
  const { opened } = closedAfterAll();
  const running = killedAfterAll();
  const serves: ServeProcess[] = [];
  afterAll(async () => {
    for (const serve of serves) await serve.stop();
  });

  const startWorker = (env: NodeJS.ProcessEnv): CliProcess => {
    const worker = spawnCli(['worker', '--concurrency', '2'], env);
    running.push(worker);
    return worker;
  };
  const recoveryLines = (worker: CliProcess): Array<Record<string, unknown>> =>
    worker
      .stderr()
      .split('\n')
      .filter((line) => line.includes('"event":"recovery"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it(`(e) jobs removed from the queue: enqueued again by one of two racing passes, applied once (seed ${seed})`, async () => {
    const world = makeWorld(seededRandom(seed + 10), 200, 1_500);
    const expected = oracle(world);
    const scenario = await openScenario('recovery-jobs-gone', { appendfsync: null });
    opened.push(scenario);
    const feed = await scenario.prepare(world);
    const submitted = await runCliToEnd(['submit', feed], scenario.env());
    expect([submitted.code, submitted.stdout.trim()]).toEqual([0, '50001']);

    const connection = new Redis(scenario.redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(APPLY_QUEUE, { connection, prefix: PREFIX });
    try {
      expect(await queue.getWaitingCount()).toBeGreaterThan(0);
      await queue.obliterate({ force: true }); // every job gone; the feed still says _IN_PROGRESS_
    } finally {
      await queue.close();
      await connection.quit();
    }
    const client = scenario.redis.client();
    expect(await client.hget(chaosFeedKeys('50001').feed, 'status')).toBe('_IN_PROGRESS_');

    const workers = [startWorker(scenario.env(RECOVERY_AT_ONCE)), startWorker(scenario.env(RECOVERY_AT_ONCE))];
    await until(
      async () => (await client.hget(chaosFeedKeys('50001').feed, 'status')) === '_DONE_',
      'feed 50001 done after recovery',
      120_000,
    );
    const decisions = workers.flatMap(recoveryLines).filter((d) => d['feedId'] === '50001');
    expect(decisions.map((d) => d['action'])).toEqual(['enqueued-again']); // one pass decided, once
    expect(await client.hget(chaosFeedKeys('50001').feed, 'recovery')).toContain('enqueued again');
    const v = await verdict(scenario, world, expected, '50001');
    expect(v.comparison).toEqual({ lost: [], doubled: [], other: [] });
    expect(v.events).toEqual({ got: expected.cancellations, want: expected.cancellations });
    expect(v.report).toEqual(v.expectedReport);
  }, 180_000);

  it(`(f) a job out of attempts before applying anything: _CANCELLED_, every message listed, ledger untouched (seed ${seed})`, async () => {
    const world = makeWorld(seededRandom(seed + 11), 1, 12); // one order: every message in one partition, one job
    const scenario = await openScenario('recovery-nothing-applied', { appendfsync: null });
    opened.push(scenario);
    const feed = await scenario.prepare(world);
    const client = scenario.redis.client();
    const before = await readLedger(client, PREFIX, world);
    const env = scenario.env({
      ...RECOVERY_AT_ONCE,
      FEEDPROC_JOB_ATTEMPTS: '2',
      FEEDPROC_JOB_BACKOFF_MS: '50',
      FEEDPROC_FAULT: 'fail-message=1x99', // the job stops before its first message on every attempt
    });
    startWorker(env);
    const submitted = await runCliToEnd(['submit', feed], env);
    expect([submitted.code, submitted.stdout.trim()]).toEqual([0, '50001']);
    await until(
      async () => (await client.hget(chaosFeedKeys('50001').feed, 'status')) === '_CANCELLED_',
      'feed 50001 cancelled by recovery',
      120_000,
    );
    const shown = await runCliToEnd(['report', '50001', '--format', 'json'], env);
    const results = (JSON.parse(shown.stdout) as { results: ReportResult[] }).results;
    const notApplied = results.filter((r) => r.resultMessageCode === 97040).map((r) => r.messageId);
    expect(notApplied).toEqual(world.messages.map((m) => m.messageId));
    expect(results.filter((r) => r.resultMessageCode === 97041)).toHaveLength(1);
    expect(await client.hget(chaosFeedKeys('50001').feed, 'recovery')).toContain('0 of 12 messages applied');
    expect(compareWithOracle(await readLedger(client, PREFIX, world), oracle({ ...world, messages: [] }))).toEqual({
      lost: [],
      doubled: [],
      other: [],
    });
    expect(await readLedger(client, PREFIX, world)).toEqual(before);
  }, 180_000);

  it("(g) the feed's page shows its jobs while one waits to be tried again, then the recovery's decision", async () => {
    // Recovery often, but with its default age: finalising given-up jobs does not wait for it, and an age of 0
    // would let a pass take the upload's body in processing/ for a leftover before it is claimed.
    const serve = await startServe({
      FEEDPROC_RECOVERY_INTERVAL_MS: RECOVERY_AT_ONCE.FEEDPROC_RECOVERY_INTERVAL_MS,
      FEEDPROC_JOB_ATTEMPTS: '2',
      FEEDPROC_JOB_BACKOFF_MS: '4000', // long enough to see the job waiting on the page
      FEEDPROC_FAULT: 'fail-message=1x99',
    });
    serves.push(serve);
    const merchant = 'A1KW3PLX9Q7ZT2';
    const key = await serve.createKey(merchant);
    await serve.importOrders(merchant, recentOrderReport(serve.feedsDir));
    const body = readFileSync(join(REPO_ROOT, 'samples', 'flat-adjustment-valid.txt'));
    const sent = await call(serve, '/feeds?feedType=_POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA_', {
      method: 'POST',
      secret: key.secretKey,
      body,
    });
    expect(sent.status).toBe(201);
    const feedId = String(sent.json?.feedSubmissionId);
    const web = new WebClient(serve.base);
    expect((await web.signIn(key.accessKeyId, key.secretKey)).status).toBe(303);
    const jobs = await waitUntil('the feed page to show a job waiting out its back-off', async () => {
      const text = (await web.get(`/web/feeds/${feedId}`)).text;
      return /<dd id="jobs">[^<]*\bdelayed\b/.exec(text)?.[0];
    });
    expect(jobs).toMatch(/\d+ delayed/);
    const recovery = await waitUntil('the feed page to show the recovery', async () => {
      const text = (await web.get(`/web/feeds/${feedId}`)).text;
      return /<dd id="recovery">([^<]*)<\/dd>/.exec(text)?.[1];
    });
    expect(recovery).toMatch(/finalised by recovery after its jobs were given up \(2 attempts/);
    expect((await web.get(`/web/feeds/${feedId}`)).text).not.toContain('<dd id="jobs">');
  }, 120_000);
});
