/**
 * Chaos inside a worker.
 * (a) Its event loop blocked past the job lock (FEEDPROC_FAULT=block-after-window, a 1 s lock): BullMQ gives
 *     the still-running job to another worker and both apply it; the ledger's marks keep every message once.
 * (b) A poison message — its order hash damaged in Redis so that the rule raises a Lua error — is reported
 *     with its MessageID as LEDGER_MESSAGE_FAILED (97110), and neither its partition nor the feed is held up:
 *     no failed attempt, every other message as the oracle says.
 * (c) A transient failure (FEEDPROC_FAULT=fail-message: the first 2 attempts of the job holding one message
 *     fail just before it): the third attempt succeeds, the attempts are logged, every message applied once.
 */
import { chaosSeed, makeWorld, oracle, recordFigures, seededRandom, type World } from '../helpers/chaos-world.js';
import { runCliToEnd, spawnCli, WorkerFleet } from '../helpers/chaos-processes.js';
import { sleep, waitUntil } from '../helpers/wait.js';
import {
  chaosFeedKeys,
  chaosLedgerKeys,
  closedAfterAll,
  FIGURES_DIR,
  openScenario,
  PREFIX,
  verdict,
  type Scenario,
} from '../helpers/chaos-scenario.js';

const seed = chaosSeed();
const feedStatus = (scenario: Scenario, id: string): Promise<string | null> =>
  scenario.redis.client().hget(chaosFeedKeys(id).feed, 'status');

describe('worker faults', () => {
  const { opened, fleets } = closedAfterAll();

  async function expectExact(scenario: Scenario, world: World, expected: ReturnType<typeof oracle>, feedId: string) {
    const v = await verdict(scenario, world, expected, feedId);
    expect(v.comparison).toEqual({ lost: [], doubled: [], other: [] });
    expect(v.events).toEqual({ got: expected.cancellations, want: expected.cancellations });
    expect(v.stock.got).toEqual(v.stock.want);
    expect(v.report).toEqual(v.expectedReport);
    return v;
  }

  it(`(a) an event loop blocked past the job lock: the job runs twice, every message once (seed ${seed})`, async () => {
    const started = Date.now();
    // Few orders, many messages: each partition holds more than one 2,000-message window.
    const world = makeWorld(seededRandom(seed), 6, 12_000);
    const expected = oracle(world);
    const scenario = await openScenario('blocked-loop', { appendfsync: null });
    opened.push(scenario);
    const feed = await scenario.prepare(world);
    const lock = { FEEDPROC_JOB_LOCK_MS: '1000' };
    const stalling = spawnCli(
      ['worker', '--concurrency', '1'],
      scenario.env({ ...lock, FEEDPROC_FAULT: 'block-after-window=4000' }),
    );
    await stalling.waitForStderr(/concurrent jobs/);
    const submitted = await runCliToEnd(['submit', feed], scenario.env());
    const feedId = submitted.stdout.trim();
    await stalling.waitForStderr(/blocking the event loop for 4000 ms/);
    const blockedUntil = Date.now() + 4000;
    const fleet = new WorkerFleet(scenario.env(lock), 2); // starts while the first is blocked, holding its job
    fleets.push(fleet);
    await fleet.start();
    await waitUntil(
      'the feed to be done',
      async () => ((await feedStatus(scenario, feedId)) === '_DONE_' ? true : undefined),
      120_000,
      100,
    );
    // Let the blocked worker wake up and go on with the job it still holds before the ledger is read.
    await sleep(Math.max(0, blockedUntil + 1000 - Date.now()));
    expect(stalling.alive()).toBe(true);
    // BullMQ recorded the take-over: a "stalled" event for the job the blocked worker still held.
    const events = await scenario.redis.client().xrange(`${PREFIX}:feed-apply:events`, '-', '+');
    const stalled = events.filter(([, fields]) => fields[1] === 'stalled');
    expect(stalled.length).toBeGreaterThanOrEqual(1);
    await expectExact(scenario, world, expected, feedId);
    stalling.child.kill('SIGKILL');
    await stalling.exited;
    recordFigures(
      'blocked-loop',
      {
        seed,
        messages: world.messages.length,
        lockMs: 1000,
        blockedMs: 4000,
        stalledJobs: stalled.length,
        refused: expected.refusals.size,
        lost: 0,
        doubled: 0,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      },
      FIGURES_DIR,
    );
  }, 120_000);

  it(`(b) a poison message is reported with its MessageID and blocks nothing (seed ${seed})`, async () => {
    const started = Date.now();
    const world = makeWorld(seededRandom(seed + 2), 300, 6_000);
    // The victim: an item with at least two cancellations in the feed, whose ordered quantity is then damaged.
    const counts = new Map<string, number>();
    for (const m of world.messages)
      if (m.units > 0) counts.set(`${m.order}/${m.item}`, (counts.get(`${m.order}/${m.item}`) ?? 0) + 1);
    const [victim] = [...counts].find(([, n]) => n >= 2) ?? [];
    const [o, i] = (victim ?? '0/0').split('/').map(Number) as [number, number];
    const order = world.orders[o]!;
    const item = order.items[i]!;
    const expected = oracle(world, new Set([`${order.id}/${item.code}`]));
    const poisoned = [...expected.refusals].filter(([, code]) => code === 97110).map(([id]) => id);
    expect(poisoned.length).toBeGreaterThanOrEqual(1);
    const scenario = await openScenario('poison', { appendfsync: null });
    opened.push(scenario);
    const feed = await scenario.prepare(world);
    // Damage the item's ordered units, the first part of its packed field (src/apply/lua/lib/1-prelude.lua).
    const orderKey = chaosLedgerKeys.order(order.id);
    const packed = (await scenario.redis.client().hget(orderKey, `i:${item.code}`)) ?? '';
    expect(packed).toMatch(/^\d+\|/);
    await scenario.redis.client().hset(orderKey, `i:${item.code}`, packed.replace(/^\d+/, 'damaged'));
    const fleet = new WorkerFleet(scenario.env({ FEEDPROC_JOB_LOCK_MS: '1000' }), 2);
    fleets.push(fleet);
    await fleet.start();
    const done = await runCliToEnd(['submit', '--wait', '--format', 'json', feed], scenario.env());
    expect([done.code, done.stderr]).toEqual([3, '']);
    const v = await expectExact(scenario, world, expected, '50001');
    const report = JSON.parse((await runCliToEnd(['report', '50001', '--format', 'json'], scenario.env())).stdout) as {
      results: Array<{ messageId: number; resultMessageCode: number; description: string }>;
    };
    for (const id of poisoned) {
      const result = report.results.find((r) => r.messageId === id);
      expect(result?.description).toMatch(
        new RegExp(
          `^The ledger could not apply this message to order ${order.id}: user_script:\\d+: .*(nil value|with nil).*It was not applied`,
        ),
      );
    }
    // The poison never failed a job (a job may wait once for another finishing the feed: FinalizationBusy).
    expect(
      fleet.stderr().match(/attempt \d+ of \d+ failed: (?!feed 50001 is being finalised by another worker)/g),
    ).toBeNull();
    expect(fleet.stderr()).toMatch(/message \d+ cannot be applied/);
    recordFigures(
      'poison',
      {
        seed: seed + 2,
        messages: world.messages.length,
        poisonMessages: poisoned,
        refused: expected.refusals.size,
        failedAttempts: 0,
        lost: v.comparison.lost.length,
        doubled: v.comparison.doubled.length,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      },
      FIGURES_DIR,
    );
  }, 120_000);

  it(`(c) a message that fails twice, then succeeds: applied once, both failed attempts logged (seed ${seed})`, async () => {
    const started = Date.now();
    const world = makeWorld(seededRandom(seed + 3), 300, 6_000);
    const expected = oracle(world);
    const scenario = await openScenario('transient', { appendfsync: null });
    opened.push(scenario);
    const feed = await scenario.prepare(world);
    const target = 1 + Math.floor(seededRandom(seed + 3)() * world.messages.length);
    const fleet = new WorkerFleet(
      scenario.env({ FEEDPROC_JOB_LOCK_MS: '1000', FEEDPROC_FAULT: `fail-message=${target}x2` }),
      2,
    );
    fleets.push(fleet);
    await fleet.start();
    const done = await runCliToEnd(['submit', '--wait', '--format', 'json', feed], scenario.env());
    expect(done.stderr).toBe('');
    const v = await expectExact(scenario, world, expected, '50001');
    const log = fleet.stderr();
    const job =
      /job (\S+): attempt 1 of 10 failed: FEEDPROC_FAULT fail-message: attempt 1 fails before message (\d+)/.exec(log);
    expect(job?.[2]).toBe(String(target));
    expect(log).toContain(
      `job ${job?.[1]}: attempt 2 of 10 failed: FEEDPROC_FAULT fail-message: attempt 2 fails before message ${target}`,
    );
    expect(log).toContain(`job ${job?.[1]}: done on attempt 3`);
    expect(log.match(new RegExp(`job ${job?.[1]}: attempt \\d+ of 10 failed: FEEDPROC_FAULT`, 'g'))).toHaveLength(2);
    recordFigures(
      'transient',
      {
        seed: seed + 3,
        messages: world.messages.length,
        failingMessageSeq: target,
        failedAttempts: 2,
        succeededOnAttempt: 3,
        refused: expected.refusals.size,
        lost: v.comparison.lost.length,
        doubled: v.comparison.doubled.length,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      },
      FIGURES_DIR,
    );
  }, 120_000);
});
