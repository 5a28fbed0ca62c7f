/**
 * Chaos on Redis itself.
 * (a) redis-server killed with SIGKILL three times while two `feedproc worker` processes are busy, with AOF
 *     `appendfsync always`: every write Redis acknowledged is on disk before the reply, so nothing a worker
 *     (or a report reader) saw survives only in memory. With `everysec` a SIGKILL of the server alone loses
 *     nothing the kernel holds, but a write postponed while a background fsync is slow is acknowledged before
 *     it reaches the file (and an OS crash loses up to ~2 s): the ledger would still be consistent (each script
 *     is one AOF entry with its marks), but effects already seen outside (a report read, an e-mail sent) could
 *     be undone. The graceful SIGTERM restart with everysec is test/integration/worker-crash.test.ts.
 * (b) Redis at its maxmemory with noeviction while a big file is spilled: `feedproc submit` fails with one line
 *     (QUEUE_REDIS_FULL, exit 2), nothing is left half-done (the feed cancelled, its partitions and content
 *     claim gone, no job, the ledger untouched); once memory is raised, the same file completes exactly once.
 */
import {
  MERCHANT,
  chaosSeed,
  makeWorld,
  oracle,
  recordFigures,
  seededRandom,
  type JsonReport,
} from '../helpers/chaos-world.js';
import { runCliToEnd, WorkerFleet } from '../helpers/chaos-processes.js';
import { sleep, waitUntil } from '../helpers/wait.js';
import {
  chaosFeedKeys,
  chaosLedgerKeys,
  closedAfterAll,
  FIGURES_DIR,
  openScenario,
  PREFIX,
  verdict,
} from '../helpers/chaos-scenario.js';

const seed = chaosSeed();

describe('Redis faults', () => {
  const { opened, fleets } = closedAfterAll();

  it(`(a) SIGKILLed three times with appendfsync always while workers are busy: every message applied once (seed ${seed})`, async () => {
    const started = Date.now();
    const messages = 96_000;
    const random = seededRandom(seed);
    const world = makeWorld(random, 2_000, messages);
    const expected = oracle(world);
    const scenario = await openScenario('redis-killed', { appendfsync: 'always' });
    opened.push(scenario);
    const feed = await scenario.prepare(world);
    const fleet = new WorkerFleet(scenario.env({ FEEDPROC_JOB_LOCK_MS: '1000' }), 1);
    fleets.push(fleet);
    const submitted = await runCliToEnd(['submit', feed], scenario.env());
    expect(submitted.code).toBe(0);
    // The workers start once the feed waits for them, so that they are busy, not done, at the first kill.
    await Promise.all([fleet.start(), fleet.start()]);
    const feedId = submitted.stdout.trim();
    const applied = chaosLedgerKeys.applied(feedId);

    // Kills come by time, not by count: once the workers have applied past what Redis held when it came back,
    // a seeded 10-110 ms later. The whole feed takes Redis only a second or two, and a count read from Redis lags
    // behind what pipelined scripts have written meanwhile (seen: 9,200 read, 34,825 in the AOF), so kill points
    // chosen by count let the feed finish before its last kill.
    const killedAt: number[] = [];
    const statusAfterRestart: Array<string | null> = [];
    for (let kill = 0; kill < 3; kill += 1) {
      const client = scenario.redis.client();
      const seen = await client.hlen(applied);
      await waitUntil(
        `the workers to apply past ${seen} (kill ${kill + 1})`,
        async () => {
          if (fleet.ready().length === 0)
            throw new Error(`no worker left before kill ${kill + 1}: ${fleet.stderr().slice(-2000)}`);
          const count = await client.hlen(applied);
          if (count > seen) return count;
          const status = await client.hget(chaosFeedKeys(feedId).feed, 'status');
          if (status !== '_IN_PROGRESS_' && status !== '_SUBMITTED_')
            throw new Error(`the feed became ${String(status)} before kill ${kill + 1} (${count} seen last)`);
          return undefined;
        },
        120_000,
        10,
      );
      await sleep(10 + Math.floor(100 * random()));
      await scenario.redis.kill('SIGKILL');
      await sleep(300); // down for a moment: workers' commands wait and reconnect
      await scenario.redis.restart();
      // What the AOF kept: the feed must still have been in progress when Redis died.
      const back = scenario.redis.client();
      killedAt.push(await back.hlen(applied));
      statusAfterRestart.push(await back.hget(chaosFeedKeys(feedId).feed, 'status'));
    }
    const client = scenario.redis.client();
    await waitUntil(
      'the feed to be done',
      async () => ((await client.hget(chaosFeedKeys(feedId).feed, 'status')) === '_DONE_' ? true : undefined),
      180_000,
      100,
    );
    expect(fleet.all.every((w) => w.alive())).toBe(true); // the workers survived every restart

    const v = await verdict(scenario, world, expected, feedId);
    // Each kill fell inside the feed: Redis came back with the feed still in progress and messages left to apply.
    expect(statusAfterRestart).toEqual(['_IN_PROGRESS_', '_IN_PROGRESS_', '_IN_PROGRESS_']);
    expect(killedAt.every((n) => n < messages)).toBe(true);
    expect(v.comparison).toEqual({ lost: [], doubled: [], other: [] });
    expect(v.events).toEqual({ got: expected.cancellations, want: expected.cancellations });
    expect(v.stock.got).toEqual(v.stock.want);
    expect(v.report).toEqual(v.expectedReport);
    recordFigures(
      'redis-killed',
      {
        seed,
        messages,
        appendfsync: 'always',
        redisKills: killedAt.length,
        killedAtApplied: killedAt,
        refused: expected.refusals.size,
        lost: v.comparison.lost.length,
        doubled: v.comparison.doubled.length,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      },
      FIGURES_DIR,
    );
  }, 240_000);

  it(`(b) at maxmemory with noeviction: submit fails clearly, drops nothing, and succeeds once memory is freed (seed ${seed})`, async () => {
    const started = Date.now();
    const messages = 20_000;
    const world = makeWorld(seededRandom(seed + 7), 1_500, messages);
    const expected = oracle(world);
    const scenario = await openScenario('redis-full', { appendfsync: null });
    opened.push(scenario);
    const feed = await scenario.prepare(world);
    const fleet = new WorkerFleet(scenario.env({ FEEDPROC_JOB_LOCK_MS: '1000' }), 2);
    fleets.push(fleet);
    await fleet.start();
    const client = scenario.redis.client();
    const used = Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1]);
    const limit = used + 2 * 1024 * 1024; // room for the feed record, not for 20,000 spilled messages (~7 MB)
    await client.config('SET', 'maxmemory', String(limit));

    const full = await runCliToEnd(['submit', feed], scenario.env());
    expect(full.code).toBe(2);
    expect(full.stdout).toBe('');
    expect(full.stderr).toMatch(
      /^feedproc: QUEUE_REDIS_FULL: Redis is out of memory \(maxmemory reached, policy noeviction\): OOM command not allowed[^\n]*submit the file again[^\n]*\n$/,
    );
    // Nothing half-done: the feed cancelled, no spilled message, no content claim, no job, no ledger change.
    expect(await client.hget(chaosFeedKeys('50001').feed, 'status')).toBe('_CANCELLED_');
    expect(await client.exists(...chaosFeedKeys('50001').parts)).toBe(0);
    expect(await client.keys(`${PREFIX}:{m:${MERCHANT}}:sha:*`)).toEqual([]);
    expect(await client.exists(`${PREFIX}:feed-apply:wait`, `${PREFIX}:feed-apply:active`)).toBe(0);
    expect(await client.exists(chaosLedgerKeys.events(), chaosLedgerKeys.applied('50001'))).toBe(0);

    await client.config('SET', 'maxmemory', String(limit + 256 * 1024 * 1024));
    const again = await runCliToEnd(['submit', '--wait', '--format', 'json', feed], scenario.env());
    expect([again.code, again.stderr]).toEqual([3, '']);
    const report = JSON.parse(again.stdout) as JsonReport;
    expect(report.feedSubmissionId).toBe('50002');
    const v = await verdict(scenario, world, expected, '50002');
    expect(v.comparison).toEqual({ lost: [], doubled: [], other: [] });
    expect(v.events).toEqual({ got: expected.cancellations, want: expected.cancellations });
    expect(v.stock.got).toEqual(v.stock.want);
    expect(v.report).toEqual(v.expectedReport);
    recordFigures(
      'redis-full',
      {
        seed: seed + 7,
        messages,
        maxmemoryBytes: limit,
        firstSubmitExit: full.code,
        resubmittedAs: '50002',
        refused: expected.refusals.size,
        lost: v.comparison.lost.length,
        doubled: v.comparison.doubled.length,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      },
      FIGURES_DIR,
    );
  }, 180_000);
});
