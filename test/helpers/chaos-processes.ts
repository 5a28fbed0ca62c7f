/**
 * Real processes for the chaos tests: a redis-server of the test's own (free loopback port, temp folder, AOF
 * with the appendfsync the scenario names, optional maxmemory) that can be killed with any signal and started
 * again on the same port and data, and `feedproc` commands (the built CLI) with their output collected.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { CLI, REPO_ROOT } from './cli.js';
import { freePort } from './redis-server.js';
import { MERCHANT } from './chaos-world.js';
import { sleep } from './wait.js';

export interface ChaosRedis {
  url: string;
  /** Kills the server with `signal` and waits for it to exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** SIGSTOP: the server keeps its connections but answers nothing (a hung Redis) until thaw(). */
  freeze(): void;
  thaw(): void;
  /** Starts it again on the same port and folder (AOF replayed). */
  restart(): Promise<void>;
  /** A client of the test's own (not a feedproc connection). */
  client(): Redis;
  stop(): Promise<void>;
}

export interface RedisOptions {
  dir: string;
  /** AOF with this fsync policy; null: no persistence at all. */
  appendfsync: 'always' | 'everysec' | null;
  maxmemory?: string;
}

export async function startChaosRedis(options: RedisOptions): Promise<ChaosRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    options.dir,
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
  ];
  args.push(
    ...(options.appendfsync ? ['--appendonly', 'yes', '--appendfsync', options.appendfsync] : ['--appendonly', 'no']),
  );
  if (options.maxmemory) args.push('--maxmemory', options.maxmemory);
  let child: ChildProcess = await launch(args, url);
  const clients: Redis[] = [];
  return {
    url,
    async kill(signal) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
    freeze() {
      child.kill('SIGSTOP');
    },
    thaw() {
      child.kill('SIGCONT');
    },
    async restart() {
      child = await launch(args, url);
    },
    client() {
      const client = new Redis(url, { maxRetriesPerRequest: null });
      client.on('error', () => undefined); // the server is killed on purpose; commands wait for it
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.disconnect();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

async function launch(args: readonly string[], url: string): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined); // refused or LOADING while it starts: asked again below
    try {
      await probe.connect();
      await probe.ping(); // answers only once the AOF is loaded
      return child;
    } catch {
      await sleep(50);
    } finally {
      probe.disconnect();
    }
  }
  throw new Error(`redis-server on ${url} did not answer`);
}

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr has a line matching `pattern`; rejects after `timeoutMs` or when the process ends. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
}

/**
 * The environment of a feedproc command on the scenario's Redis and prefix. The report lists every result (no
 * 10,000 cap), so that the oracle sees each message's outcome.
 */
export function cliEnv(url: string, prefix: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    FEEDPROC_REDIS_URL: url,
    FEEDPROC_PREFIX: prefix,
    FEEDPROC_MERCHANT: MERCHANT,
    FEEDPROC_MAX_REPORT_RESULTS: '10000000',
    ...extra,
  };
}

/** The processes a describe block starts: any still running after it is killed. */
export function killedAfterAll(): CliProcess[] {
  const running: CliProcess[] = [];
  afterAll(async () => {
    for (const p of running) if (p.alive()) p.child.kill('SIGKILL');
    await Promise.all(running.map((p) => p.exited));
  });
  return running;
}

/** The recovery pass at once and often (by default it waits minutes before it judges a feed stuck). */
export const RECOVERY_AT_ONCE = { FEEDPROC_RECOVERY_INTERVAL_MS: '300', FEEDPROC_RECOVERY_AGE_MS: '0' };

export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    alive,
    exited,
    async waitForStderr(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(err)) {
        if (!alive()) throw new Error(`feedproc ${args.join(' ')} ended before ${pattern}; stderr: ${err}`);
        if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms; stderr: ${err}`);
        await sleep(20);
      }
    },
  };
}

/** Runs a feedproc command to its end. */
export async function runCliToEnd(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = spawnCli(args, env);
  const { code } = await run.exited;
  await new Promise((resolve) => setImmediate(resolve)); // the last output chunks
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** `feedproc worker` processes that can be killed and replaced; ready once they print their start line. */
export class WorkerFleet {
  readonly all: CliProcess[] = [];

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly concurrency = 2,
  ) {}

  async start(): Promise<CliProcess> {
    const worker = spawnCli(['worker', '--concurrency', String(this.concurrency)], this.env);
    this.all.push(worker);
    await worker.waitForStderr(/feedproc worker: \d+ concurrent jobs/);
    return worker;
  }

  /** The workers alive and past their start line. */
  ready(): CliProcess[] {
    return this.all.filter((w) => w.alive() && /feedproc worker: \d+ concurrent jobs/.test(w.stderr()));
  }

  async kill(worker: CliProcess): Promise<void> {
    worker.child.kill('SIGKILL');
    await worker.exited;
  }

  /** Every line the workers wrote on stderr, alive or killed. */
  stderr(): string {
    return this.all.map((w) => w.stderr()).join('');
  }

  async stopAll(): Promise<void> {
    for (const worker of this.all) if (worker.alive()) worker.child.kill('SIGKILL');
    await Promise.all(this.all.map((w) => w.exited));
  }
}
