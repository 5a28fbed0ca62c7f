/**
 * The private redis-server (docs/operations.md#the-private-redis-server): started when no Redis is configured and
 * none answers at the local URL, reused through `.redis/redis.port`, stopped by the last feedproc process, data
 * kept in its AOF. Real processes throughout; the "local" URL points at a free port so the machine's own Redis is
 * not found.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { CLI, runCli } from '../helpers/cli.js';
import { testRedisUrl } from '../helpers/redis.js';
import { freePort } from '../helpers/redis-server.js';
import { makeTempDir } from '../helpers/tmp.js';
import { until } from '../helpers/wait.js';

const MERCHANT = 'A1KW3PLX9Q7ZT2';
const ORDER = '405-3812004-6650731';
const tmp = makeTempDir('feedproc-managed-');
let localUrl = '';
let env: NodeJS.ProcessEnv = {};

beforeAll(async () => {
  localUrl = `redis://127.0.0.1:${await freePort()}`;
  const { FEEDPROC_REDIS_URL: _configured, ...inherited } = process.env;
  env = { ...inherited, FEEDPROC_LOCAL_REDIS_URL: localUrl, FEEDPROC_FEEDS_DIR: tmp.dir, FEEDPROC_MERCHANT: MERCHANT };
});
afterAll(() => tmp.cleanup());

const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(args, { env: { ...env, ...extra } });
const STARTED =
  /^feedproc: no Redis at (\S+); started a private redis-server at (redis:\/\/127\.0\.0\.1:\d+) \(data in (\S+)\); it stops when feedproc does\n$/;

async function answers(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

describe('the private redis-server', () => {
  let firstUrl = '';

  it('is started when nothing answers, says so in one line, and is stopped when the command ends', async () => {
    const imported = await cli(['orders', 'import', 'samples/order-report.txt']);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/12 created/);
    const [, local, url, dir] = STARTED.exec(imported.stderr) ?? [];
    expect([local, dir]).toEqual([localUrl, join(tmp.dir, '.redis')]);
    firstUrl = url ?? '';
    expect(readFileSync(join(tmp.dir, '.redis', 'redis.port'), 'utf8')).toBe(`${new URL(firstUrl).port}\n`);
    await until(async () => !(await answers(firstUrl)), 'the private server has stopped');
    expect(existsSync(join(tmp.dir, '.redis', 'appendonlydir'))).toBe(true);
  });

  it('keeps the ledger across restarts (AOF) and runs with noeviction', async () => {
    const order = await cli(['order', ORDER, '--format', 'json']);
    expect(order.code).toBe(0);
    expect(order.stderr).toMatch(STARTED);
    expect(JSON.parse(order.stdout)).toMatchObject({ amazonOrderId: ORDER, merchantId: MERCHANT, status: 'Unshipped' });
  });

  it('is shared by concurrent commands and stopped by the last one to leave', async () => {
    const worker = spawn(process.execPath, [CLI, 'worker', '--concurrency', '1'], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let workerErr = '';
    worker.stderr.setEncoding('utf8').on('data', (d: string) => (workerErr += d));
    const exited = new Promise<number | null>((resolve) => worker.on('exit', resolve));
    await until(async () => Promise.resolve(/Ctrl-C to stop/.test(workerErr)), 'the worker runs');
    const [, , url] = STARTED.exec(workerErr.split('\n')[0] + '\n') ?? [];
    expect(url).toMatch(/^redis:\/\//);

    const order = await cli(['order', ORDER, '--format', 'json']);
    expect(order.code).toBe(0);
    expect(order.stderr).toBe(''); // the notice comes once per server start, not with every command
    expect(await answers(url ?? '')).toBe(true); // the worker still uses it

    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    await until(async () => !(await answers(url ?? '')), 'the last user has stopped it');
  });

  it('never mistakes another Redis on the recorded port for its own', async () => {
    writeFileSync(join(tmp.dir, '.redis', 'redis.port'), `${new URL(testRedisUrl()).port}\n`);
    const order = await cli(['order', ORDER, '--format', 'json']);
    expect(order.code).toBe(0);
    const [, , url] = STARTED.exec(order.stderr) ?? [];
    expect(url).not.toBe(testRedisUrl());
    expect(await answers(testRedisUrl())).toBe(true); // the test suite's Redis was not shut down
  });

  it('starts one server when three long-running commands find none at the same moment', async () => {
    const fresh = makeTempDir('feedproc-managed-race-');
    const workers = [1, 2, 3].map(() => {
      const child = spawn(process.execPath, [CLI, 'worker', '--concurrency', '1'], {
        env: { ...env, FEEDPROC_FEEDS_DIR: fresh.dir },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      return { child, err: () => err, exited: new Promise<number | null>((resolve) => child.on('exit', resolve)) };
    });
    await until(async () => Promise.resolve(workers.every((w) => /Ctrl-C to stop/.test(w.err()))), 'every worker runs');
    // Every start says so once: one notice, one server (the others found it running and said nothing).
    const urls = workers.flatMap(
      (w) => /started a private redis-server at (redis:\/\/127\.0\.0\.1:\d+)/.exec(w.err())?.[1] ?? [],
    );
    expect(urls).toHaveLength(1);
    for (const w of workers) w.child.kill('SIGTERM');
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0, 0]);
    await until(async () => !(await answers(urls[0] ?? '')), 'the last one has stopped it');
    fresh.cleanup();
  });

  it('exits 2 with a one-line instruction when no redis-server is on PATH', async () => {
    const result = await cli(['order', ORDER], { PATH: join(tmp.dir, 'no-such-bin') });
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toBe(
      `feedproc: CLI_REDIS_SERVER_MISSING: No Redis answers at ${localUrl} and no redis-server is on PATH to start a private one: install Redis (apt install redis-server) or pass --redis URL.\n`,
    );
  });

  it('does not start one when a configured Redis does not answer', async () => {
    const other = makeTempDir('feedproc-managed-configured-');
    const configured = `redis://127.0.0.1:${await freePort()}`;
    const result = await cli(['order', ORDER], { FEEDPROC_REDIS_URL: configured, FEEDPROC_FEEDS_DIR: other.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`^feedproc: CLI_REDIS_UNAVAILABLE: Redis does not answer at ${configured}: .*\\n$`),
    );
    expect(existsSync(join(other.dir, '.redis'))).toBe(false);
    other.cleanup();
  });
});
