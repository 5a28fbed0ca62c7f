/**
 * Chaos: the ingest process (`feedproc submit`) dies while it enqueues a big file, and the same file is
 * submitted again. (a) Killed with SIGKILL while the file is validated and its messages spilled: the dead feed
 * is cancelled once its lease lapses, the resubmission is processed as a feed of its own (not reported as a
 * "duplicate" of a feed that applied nothing), every message once. (b) Dead right after validation, before its
 * jobs were enqueued (FEEDPROC_FAULT=exit-before-enqueue, a SIGKILL at that exact point): the resubmission
 * enqueues the dead feed's jobs again and is its duplicate; the first feed finishes, every message once.
 */
import { chaosSeed, makeWorld, oracle, recordFigures, seededRandom, type JsonReport } from '../helpers/chaos-world.js';
import { runCliToEnd, spawnCli, WorkerFleet } from '../helpers/chaos-processes.js';
import { waitUntil } from '../helpers/wait.js';
import {
  chaosFeedKeys,
  chaosLedgerKeys,
  closedAfterAll,
  FIGURES_DIR,
  openScenario,
  PREFIX,
  verdict,
} from '../helpers/chaos-scenario.js';

const MESSAGES = 40_000;
const ORDERS = 3_000;
const seed = chaosSeed();

describe('feedproc submit killed while enqueueing a big file, then the same file submitted again', () => {
  const { opened, fleets } = closedAfterAll();

  it(`(a) SIGKILL during validation and spill: no gap, no double effect, the dead feed cancelled (seed ${seed})`, async () => {
    const started = Date.now();
    const world = makeWorld(seededRandom(seed), ORDERS, MESSAGES);
    const expected = oracle(world);
    const scenario = await openScenario('submit-killed', { appendfsync: null });
    opened.push(scenario);
    const feed = await scenario.prepare(world);
    const client = scenario.redis.client();

    const first = spawnCli(['submit', feed], scenario.env());
    const spilled = await waitUntil(
      'messages spilled',
      async () => {
        const n = await client.exists(...chaosFeedKeys('50001').parts);
        return n > 0 ? n : undefined;
      },
      60_000,
      5,
    );
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // Killed mid-spill: partitions written, the file not yet judged, nothing enqueued.
    expect(await client.hget(chaosFeedKeys('50001').feed, 'status')).toBe('_IN_PROGRESS_');
    expect(await client.exists(chaosFeedKeys('50001').validation)).toBe(0);
    expect(await client.exists(`${PREFIX}:feed-apply:wait`, `${PREFIX}:feed-apply:active`)).toBe(0);

    const fleet = new WorkerFleet(scenario.env({ FEEDPROC_JOB_LOCK_MS: '1000' }), 2);
    fleets.push(fleet);
    await Promise.all([fleet.start(), fleet.start()]);
    const again = await runCliToEnd(['submit', '--wait', '--format', 'json', feed], scenario.env());
    expect([again.code, again.stderr]).toEqual([3, '']); // 3: some messages refused by the ledger rules
    const report = JSON.parse(again.stdout) as JsonReport;
    expect(report.feedSubmissionId).toBe('50002'); // a feed of its own, not a duplicate of the dead one
    expect(await client.hget(chaosFeedKeys('50001').feed, 'status')).toBe('_CANCELLED_');
    expect(await client.exists(...chaosFeedKeys('50001').parts)).toBe(0);

    const v = await verdict(scenario, world, expected, '50002');
    expect(v.comparison).toEqual({ lost: [], doubled: [], other: [] });
    expect(v.events).toEqual({ got: expected.cancellations, want: expected.cancellations });
    expect(v.stock.got).toEqual(v.stock.want);
    expect(v.report).toEqual(v.expectedReport);

    // The same file once more: now a real duplicate of 50002, and nothing changes.
    const third = await runCliToEnd(['submit', '--wait', '--format', 'json', feed], scenario.env());
    const duplicate = JSON.parse(third.stdout) as JsonReport;
    expect(duplicate.results).toEqual([
      expect.objectContaining({ messageId: 0, resultCode: 'Warning', resultMessageCode: 97010 }),
    ]);
    expect(duplicate.results[0]?.description).toContain('feed 50002');
    expect((await verdict(scenario, world, expected, '50002')).comparison).toEqual({
      lost: [],
      doubled: [],
      other: [],
    });
    expect(await client.xlen(chaosLedgerKeys.events())).toBe(expected.cancellations);
    recordFigures(
      'submit-killed-spill',
      {
        seed,
        messages: MESSAGES,
        partitionsSpilledWhenKilled: spilled,
        resubmittedAs: '50002',
        refused: expected.refusals.size,
        lost: v.comparison.lost.length,
        doubled: v.comparison.doubled.length,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      },
      FIGURES_DIR,
    );
  }, 180_000);

  it(`(b) dead between validation and enqueueing: the resubmission enqueues the first feed again, every message once (seed ${seed})`, async () => {
    const started = Date.now();
    const world = makeWorld(seededRandom(seed + 1), ORDERS, MESSAGES / 4);
    const expected = oracle(world);
    const scenario = await openScenario('submit-before-enqueue', { appendfsync: null });
    opened.push(scenario);
    const feed = await scenario.prepare(world);
    const client = scenario.redis.client();

    const first = await runCliToEnd(['submit', feed], scenario.env({ FEEDPROC_FAULT: 'exit-before-enqueue' }));
    expect(first.code).toBeNull(); // SIGKILLed itself at the fault point
    expect(await client.hget(chaosFeedKeys('50001').feed, 'status')).toBe('_IN_PROGRESS_');
    expect(await client.exists(chaosFeedKeys('50001').validation)).toBe(1);
    expect(await client.exists(`${PREFIX}:feed-apply:wait`)).toBe(0);

    const fleet = new WorkerFleet(scenario.env({ FEEDPROC_JOB_LOCK_MS: '1000' }), 2);
    fleets.push(fleet);
    await Promise.all([fleet.start(), fleet.start()]);
    const again = await runCliToEnd(['submit', '--wait', '--format', 'json', feed], scenario.env());
    expect([again.code, again.stderr]).toEqual([0, '']);
    const duplicate = JSON.parse(again.stdout) as JsonReport;
    expect(duplicate.feedSubmissionId).toBe('50002');
    expect(duplicate.results).toEqual([expect.objectContaining({ messageId: 0, resultMessageCode: 97010 })]);
    expect(duplicate.results[0]?.description).toContain('feed 50001');
    await waitUntil('feed 50001 to be done', async () =>
      (await client.hget(chaosFeedKeys('50001').feed, 'status')) === '_DONE_' ? true : undefined,
    );

    const v = await verdict(scenario, world, expected, '50001');
    expect(v.comparison).toEqual({ lost: [], doubled: [], other: [] });
    expect(v.events).toEqual({ got: expected.cancellations, want: expected.cancellations });
    expect(v.stock.got).toEqual(v.stock.want);
    expect(v.report).toEqual(v.expectedReport);
    recordFigures(
      'submit-killed-before-enqueue',
      {
        seed: seed + 1,
        messages: MESSAGES / 4,
        refused: expected.refusals.size,
        lost: v.comparison.lost.length,
        doubled: v.comparison.doubled.length,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      },
      FIGURES_DIR,
    );
  }, 180_000);
});
