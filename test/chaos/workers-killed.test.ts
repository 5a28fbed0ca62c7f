/**
 * Chaos: `feedproc worker` processes killed with SIGKILL at 20 random points (seeded, the seed is logged) while
 * a 100,000-message feed is applied, each replaced at once. Afterwards the ledger equals the sequential oracle
 * (no message lost, none applied twice: units, every refunded component, cancellation events, stock) and the
 * report counts every message once with exactly the oracle's refusals.
 */
import type { Redis } from 'ioredis';
import { chaosSeed, makeWorld, oracle, seededRandom } from '../helpers/chaos-world.js';
import { runCliToEnd, WorkerFleet, type CliProcess } from '../helpers/chaos-processes.js';
import { waitUntil } from '../helpers/wait.js';
import {
  chaosFeedKeys,
  chaosLedgerKeys,
  FIGURES_DIR,
  openScenario,
  PREFIX,
  verdict,
  type Scenario,
} from '../helpers/chaos-scenario.js';
import { recordFigures } from '../helpers/chaos-world.js';

/** Jobs BullMQ gave up, each with why and how often it had stalled and failed (to tell a stall limit from retries). */
async function failedJobs(client: Redis): Promise<string[]> {
  const ids = await client.zrange(`${PREFIX}:feed-apply:failed`, '0', '-1');
  return Promise.all(
    ids.map(async (id) => {
      const [reason, stalled, attempts] = await client.hmget(
        `${PREFIX}:feed-apply:${id}`,
        'failedReason',
        'stc',
        'atm',
      );
      return `${id}: ${reason} (stalled ${stalled ?? 0} times, ${attempts ?? 0} attempts)`;
    }),
  );
}

const MESSAGES = 100_000;
const ORDERS = 6_000;
const KILLS = 20;
const seed = chaosSeed();

describe('workers killed with SIGKILL at 20 random points of a 100,000-message feed', () => {
  let scenario: Scenario;
  let fleet: WorkerFleet;
  afterAll(async () => {
    await fleet?.stopAll();
    await scenario?.close();
  });

  it(`ends with the ledger equal to the sequential oracle and every message reported once (seed ${seed})`, async () => {
    const started = Date.now();
    const random = seededRandom(seed);
    const world = makeWorld(random, ORDERS, MESSAGES);
    const expected = oracle(world);
    scenario = await openScenario('workers-killed', { appendfsync: null });
    const feed = await scenario.prepare(world);
    fleet = new WorkerFleet(scenario.env({ FEEDPROC_JOB_LOCK_MS: '1000' }), 2);
    await Promise.all([fleet.start(), fleet.start()]);

    const submitted = await runCliToEnd(['submit', feed], scenario.env());
    expect(submitted).toMatchObject({ code: 0, stderr: '' });
    const feedId = submitted.stdout.trim();
    const client = scenario.redis.client();
    const applied = chaosLedgerKeys.applied(feedId);
    const status = async (): Promise<string | null> => client.hget(chaosFeedKeys(feedId).feed, 'status');

    // 20 kill points: the number of applied messages at which a worker dies, spread over the feed at random.
    const points = Array.from({ length: KILLS }, () => Math.floor(MESSAGES * (0.03 + 0.94 * random()))).sort(
      (a, b) => a - b,
    );
    const killedAt: number[] = [];
    const replacements: Array<Promise<CliProcess>> = [];
    for (const point of points) {
      const progress = await waitUntil(
        `${point} messages applied`,
        async () => {
          if ((await status()) === '_DONE_') return -1;
          const n = await client.hlen(applied);
          return n >= point ? n : undefined;
        },
        120_000,
        10,
      );
      if (progress === -1) break; // the feed finished first: counted below, and the test fails on it
      const ready = await waitUntil('a worker up', async () => (fleet.ready().length > 0 ? fleet.ready() : undefined));
      await fleet.kill(ready[Math.floor(random() * ready.length)] as CliProcess);
      killedAt.push(progress);
      replacements.push(fleet.start()); // not awaited: the feed goes on meanwhile, and it may be the next victim
    }
    await waitUntil(
      'the feed to be done',
      async () => ((await status()) === '_DONE_' ? true : undefined),
      240_000,
      100,
    );
    await Promise.all(replacements);

    const v = await verdict(scenario, world, expected, feedId);
    expect(killedAt).toHaveLength(KILLS);
    expect(killedAt.every((n) => n > 0 && n < MESSAGES)).toBe(true); // every kill fell inside the feed
    expect(v.comparison).toEqual({ lost: [], doubled: [], other: [] });
    expect(v.events).toEqual({ got: v.events.want, want: expected.cancellations });
    expect(v.stock.got).toEqual(v.stock.want);
    expect(v.report).toEqual(v.expectedReport);
    expect(await failedJobs(client)).toEqual([]); // no job was given up
    recordFigures(
      'workers-killed',
      {
        seed,
        messages: MESSAGES,
        orders: ORDERS,
        kills: killedAt.length,
        killedAtApplied: killedAt,
        workersStarted: fleet.all.length,
        refused: expected.refusals.size,
        cancellations: expected.cancellations,
        lost: v.comparison.lost.length,
        doubled: v.comparison.doubled.length,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      },
      FIGURES_DIR,
    );
  }, 300_000);
});
