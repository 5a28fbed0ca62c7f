/**
 * Stop means stop, for each long-running command (`worker`, `watch`, `serve`; `notify` at the end): a feed is in flight (one of its
 * jobs failed once and waits for its retry, FEEDPROC_FAULT=fail-message), Redis is killed, then SIGTERM — the
 * process must exit within the stop bound: `worker` with 0 (it held no job: the delayed one is Redis's), `watch`
 * and `serve` with 5 (the file's lane was waiting on Redis for its report; the file stays claimed in processing/). Redis and the command are then started again: the feed completes and the
 * ledger equals the sequential oracle (no message lost, none applied twice). Then, with Redis hung (SIGSTOP): a
 * second signal ends `worker`, `serve` and `notify` at once with 5, and a worker holding a running job exits 5 at
 * the bound, the job left to the next worker, which applies every message once.
 */
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { chaosSeed, makeWorld, MERCHANT, oracle, seededRandom } from '../helpers/chaos-world.js';
import { killedAfterAll, spawnCli, type CliProcess } from '../helpers/chaos-processes.js';
import { sleep, waitUntil } from '../helpers/wait.js';
import { chaosFeedKeys, closedAfterAll, openScenario, PREFIX, verdict } from '../helpers/chaos-scenario.js';
import { merchantInbox } from '../helpers/watcher.js';

const MESSAGES = 4_000;
const ORDERS = 500;
const BOUND_MS = 3_000;
/** What the process may take beyond its bound to be seen gone: node's own exit, the test's polling. */
const SLACK_MS = 4_000;
const seed = chaosSeed();

type Command = 'worker' | 'watch' | 'serve' | 'notify';

const ARGS: Readonly<Record<Command, string[]>> = {
  worker: ['worker', '--concurrency', '2'],
  serve: ['serve', '--port', '0'],
  watch: ['watch'],
  notify: ['notify'],
};
/** The stdout line each command prints once it runs (the worker says so on stderr). */
const READY_LINE: Readonly<Record<Exclude<Command, 'worker'>, string>> = {
  serve: '"event":"listening"',
  watch: '"event":"watching"',
  notify: '"event":"notifying"',
};

function start(command: Command, env: NodeJS.ProcessEnv): CliProcess {
  return spawnCli(ARGS[command], env);
}

async function ready(command: Command, process: CliProcess): Promise<void> {
  if (command === 'worker') return process.waitForStderr(/feedproc worker: \d+ concurrent jobs/);
  const line = READY_LINE[command];
  await waitUntil(`${command} to start`, async () => (process.stdout().includes(line) ? true : undefined), 60_000);
}

/** Waits for the process to end, at most `ms`; the process is killed (and the test fails) if it is still there. */
async function exitWithin(process: CliProcess, ms: number): Promise<{ code: number | null; signal: string | null }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still running'>((done) => (timer = setTimeout(() => done('still running'), ms)));
  const outcome = await Promise.race([process.exited, late]);
  clearTimeout(timer);
  if (outcome === 'still running') {
    process.child.kill('SIGKILL');
    await process.exited;
    return { code: null, signal: `still running ${ms} ms after SIGTERM` };
  }
  return outcome;
}

describe.each<Command>(['worker', 'watch', 'serve'])('feedproc %s without Redis', (command) => {
  const { opened } = closedAfterAll();
  const running = killedAfterAll();

  it(`Redis killed with a feed in flight, then SIGTERM: exits within the bound; restarted, the feed completes exactly once (seed ${seed})`, async () => {
    const world = makeWorld(seededRandom(seed), ORDERS, MESSAGES);
    const expected = oracle(world);
    const scenario = await openScenario(`stop-${command}`, { appendfsync: 'always' });
    opened.push(scenario);
    const feed = await scenario.prepare(world);
    const client = scenario.redis.client();
    const env = scenario.env({
      FEEDPROC_STOP_TIMEOUT_MS: String(BOUND_MS),
      FEEDPROC_JOB_LOCK_MS: '2000',
      FEEDPROC_JOB_BACKOFF_MS: '8000',
    });

    const first = start(command, { ...env, FEEDPROC_FAULT: 'fail-message=2000x1' });
    running.push(first);
    await ready(command, first);
    if (command === 'worker') {
      const submitted = spawnCli(['submit', feed], env);
      expect((await submitted.exited).code).toBe(0);
    } else copyFileSync(feed, join(merchantInbox(join(scenario.dir, 'feeds'), MERCHANT), 'feed.xml'));
    // In flight: the other jobs done, the job holding message 2000 failed once and waits for its retry.
    await waitUntil('only a job delayed for its retry left', async () => {
      const [delayed, waiting, active] = await Promise.all([
        client.zcard(`${PREFIX}:feed-apply:delayed`),
        client.llen(`${PREFIX}:feed-apply:wait`),
        client.llen(`${PREFIX}:feed-apply:active`),
      ]);
      return delayed === 1 && waiting === 0 && active === 0 ? true : undefined;
    });
    expect(await client.hget(chaosFeedKeys('50001').feed, 'status')).toBe('_IN_PROGRESS_');

    await scenario.redis.kill('SIGKILL');
    first.child.kill('SIGTERM');
    // The worker held nothing (the job is Redis's); the watcher's lane was still waiting on Redis for the
    // file's report at the bound: it stops anyway, leaves the file claimed, and says so with exit code 5.
    expect(await exitWithin(first, BOUND_MS + SLACK_MS)).toEqual({ code: command === 'worker' ? 0 : 5, signal: null });
    if (command !== 'worker')
      expect(existsSync(join(scenario.dir, 'feeds', 'processing', MERCHANT, 'feed.xml'))).toBe(true);

    await scenario.redis.restart();
    const second = start(command, env);
    running.push(second);
    await ready(command, second);
    await waitUntil(
      'feed 50001 done',
      async () => ((await client.hget(chaosFeedKeys('50001').feed, 'status')) === '_DONE_' ? true : undefined),
      120_000,
    );
    if (command !== 'worker')
      await waitUntil('the file moved to done/', async () =>
        existsSync(join(scenario.dir, 'feeds', 'done', MERCHANT, 'feed.xml')) ? true : undefined,
      );
    const v = await verdict(scenario, world, expected, '50001');
    expect(v.comparison).toEqual({ lost: [], doubled: [], other: [] });
    expect(v.events).toEqual({ got: expected.cancellations, want: expected.cancellations });
    expect(v.stock.got).toEqual(v.stock.want);
    expect(v.report).toEqual(v.expectedReport);

    second.child.kill('SIGTERM');
    expect(await exitWithin(second, BOUND_MS + SLACK_MS)).toEqual({ code: 0, signal: null });
  }, 240_000);
});

describe('feedproc notify with Redis hung', () => {
  const { opened } = closedAfterAll();
  const running = killedAfterAll();

  it('Redis stopped (SIGSTOP) under a pass, then SIGTERM: exits 5 within the bound; with Redis back it stops with 0', async () => {
    const scenario = await openScenario('stop-notify', { appendfsync: null });
    opened.push(scenario);
    const env = scenario.env({ FEEDPROC_STOP_TIMEOUT_MS: String(BOUND_MS) });

    const first = start('notify', env);
    running.push(first);
    await ready('notify', first);
    // A hung Redis (not a closed one: commands neither fail nor answer) holds the notifier's pass for ever.
    scenario.redis.freeze();
    await sleep(1_000);
    first.child.kill('SIGTERM');
    const stopped = await exitWithin(first, BOUND_MS + SLACK_MS);
    scenario.redis.thaw();
    expect(stopped).toEqual({ code: 5, signal: null });

    const second = start('notify', env);
    running.push(second);
    await ready('notify', second);
    second.child.kill('SIGTERM');
    expect(await exitWithin(second, BOUND_MS + SLACK_MS)).toEqual({ code: 0, signal: null });
  }, 60_000);
});

describe('a second signal, and a worker holding a job, with Redis hung', () => {
  const { opened } = closedAfterAll();
  const running = killedAfterAll();

  /** Far beyond what the test waits after the second signal: only that signal can end the process in time. */
  const LONG_BOUND_MS = 60_000;

  it.each<'worker' | 'serve' | 'notify'>(['worker', 'serve', 'notify'])(
    '%s: the first SIGTERM waits on the hung Redis; a second one exits at once with 5',
    async (command) => {
      const scenario = await openScenario(`second-signal-${command}`, { appendfsync: null });
      opened.push(scenario);
      const env = scenario.env({ FEEDPROC_STOP_TIMEOUT_MS: String(LONG_BOUND_MS) });
      const p = start(command, env);
      running.push(p);
      await ready(command, p);
      scenario.redis.freeze();
      try {
        p.child.kill('SIGTERM');
        await sleep(500); // two separate signals, not one the kernel merges
        expect(p.alive()).toBe(true); // still stopping: its Redis does not answer
        p.child.kill('SIGTERM');
        expect(await exitWithin(p, SLACK_MS)).toEqual({ code: 5, signal: null });
      } finally {
        scenario.redis.thaw();
      }
    },
    90_000,
  );

  it(`worker: Redis hung under a running job, then SIGTERM: exits 5 at the bound; restarted, the feed completes exactly once (seed ${seed})`, async () => {
    const world = makeWorld(seededRandom(seed + 3), 2_000, 30_000);
    const expected = oracle(world);
    const scenario = await openScenario('stop-worker-holding', { appendfsync: 'always' });
    opened.push(scenario);
    const feed = await scenario.prepare(world);
    const client = scenario.redis.client();
    const env = scenario.env({ FEEDPROC_STOP_TIMEOUT_MS: String(BOUND_MS), FEEDPROC_JOB_LOCK_MS: '2000' });
    const submitted = spawnCli(['submit', feed], env);
    expect((await submitted.exited).code).toBe(0);

    const first = start('worker', env);
    running.push(first);
    await ready('worker', first);
    // A job listed active may still be on its way to the worker (the reply to its fetch not yet read when Redis
    // stops); a partition run started is the worker's own write, from inside the job.
    await waitUntil('the worker running a job', async () =>
      (await client.hlen(chaosFeedKeys('50001').runs)) > 0 ? true : undefined,
    );
    scenario.redis.freeze();
    try {
      first.child.kill('SIGTERM');
      // It cannot finish the job it holds (its Redis does not answer): at the bound it leaves it and says so.
      expect(await exitWithin(first, BOUND_MS + SLACK_MS)).toEqual({ code: 5, signal: null });
    } finally {
      scenario.redis.thaw();
    }

    const second = start('worker', env);
    running.push(second);
    await ready('worker', second);
    await waitUntil(
      'feed 50001 done',
      async () => ((await client.hget(chaosFeedKeys('50001').feed, 'status')) === '_DONE_' ? true : undefined),
      180_000,
    );
    const v = await verdict(scenario, world, expected, '50001');
    expect(v.comparison).toEqual({ lost: [], doubled: [], other: [] });
    expect(v.events).toEqual({ got: expected.cancellations, want: expected.cancellations });
    expect(v.report).toEqual(v.expectedReport);
    second.child.kill('SIGTERM');
    expect(await exitWithin(second, BOUND_MS + SLACK_MS)).toEqual({ code: 0, signal: null });
  }, 300_000);
});
