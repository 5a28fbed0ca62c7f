/**
 * Which Redis a command talks to (docs/cli.md#which-redis): the configured URL; else a local Redis answering at
 * `localRedisUrl`; else a private `redis-server` from PATH with its data in `config.privateRedisDir` (AOF on,
 * noeviction, loopback only, a free port). The private server outlives a crash of the process that started
 * it — the next command finds it through `redis.port` — and is shut down by the last feedproc process that
 * leaves it (see `releaseRedis`).
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Config } from '../core/config.js';
import { FeedError } from '../core/errors.js';

export interface RedisTarget {
  url: string;
  /** The private server's data folder; null when the Redis is not ours to stop. */
  managedDir: string | null;
}

/** A large AOF takes a while to load; PING answers LOADING until then. */
const START_TIMEOUT_MS = 60_000;

export interface ResolveOptions {
  /**
   * The command only reads (order, report, feeds, …): a private server that would start with no data could only
   * answer "not found", so it is not started and the command says where it looked instead (CLI_NO_DATA).
   */
  readOnly?: boolean;
}

export async function resolveRedis(
  config: Config,
  notice: (line: string) => void,
  options: ResolveOptions = {},
): Promise<RedisTarget> {
  if (config.redisUrl !== null) {
    await requireAnswering(config.redisUrl);
    return { url: config.redisUrl, managedDir: null };
  }
  if (await answers(config.localRedisUrl)) return { url: config.localRedisUrl, managedDir: null };
  if (options.readOnly && !(await holdsData(config.privateRedisDir)))
    throw new FeedError('CLI_NO_DATA', {
      dir: config.privateRedisDir,
      detail: `no Redis answers at ${config.localRedisUrl}`,
    });
  // Redis reports its dir with symlinks resolved: compare (and start) with the real path.
  await mkdir(config.privateRedisDir, { recursive: true });
  const dir = await realpath(config.privateRedisDir);
  const release = await startLock(dir);
  try {
    // A server already running was announced by the command that started it: saying so again on every
    // command would be noise.
    const running = await runningPrivateServer(dir);
    if (running) return { url: running, managedDir: dir };
    const url = await startPrivateServer(dir, config.localRedisUrl);
    notice(
      `feedproc: no Redis at ${config.localRedisUrl}; started a private redis-server at ${url} (data in ${dir}); it stops when feedproc does`,
    );
    return { url, managedDir: dir };
  } finally {
    await release();
  }
}

/** True when a private server has run in `dir` and left data (its AOF) or is running there now. */
async function holdsData(dir: string): Promise<boolean> {
  for (const name of ['redis.port', 'appendonlydir', 'appendonly.aof', 'dump.rdb'])
    if (await stat(join(dir, name)).catch(() => null)) return true;
  return false;
}

const LOCK_STALE_MS = 90_000;

/**
 * One feedproc at a time decides whether to start or stop the private server (two starting together would run
 * two servers on one AOF; two stopping together would each leave it to the other). The lock is a file created
 * exclusively, holding the owner's pid; it is stale when that process is gone (killed while it held it) or when
 * it is older than a start can take.
 */
async function startLock(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, 'start.lock');
  for (;;) {
    try {
      await writeFile(path, String(process.pid), { flag: 'wx' });
      return () => rm(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (await staleLock(path)) await rm(path, { force: true });
      else await delay(50);
    }
  }
}

async function staleLock(path: string): Promise<boolean> {
  const [owner, info] = await Promise.all([readFile(path, 'utf8').catch(() => ''), stat(path).catch(() => null)]);
  if (info === null) return false; // just released: take it on the next try
  if (Date.now() - info.mtimeMs > LOCK_STALE_MS) return true;
  return /^\d+$/.test(owner) && !processAlive(Number(owner));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

/** How often, and how far apart, a release looks again for clients that are only on their way out. */
const RELEASE_LOOKS = 4;
const RELEASE_LOOK_GAP_MS = 50;

/**
 * Shuts the private server down when no other client is connected (another feedproc process still using it
 * keeps it running, and that process shuts it down when it leaves). SHUTDOWN flushes the AOF first.
 *
 * Releases take the start lock one at a time: processes stopping together would otherwise each count the
 * others' probes and all leave the server running. A client can still be listed a moment after it closed (the
 * server has not yet read its FIN, often this process's own dropped connections), so a release that sees
 * others looks again a few times before it leaves the server to them.
 */
export async function releaseRedis(target: RedisTarget): Promise<void> {
  if (target.managedDir === null) return;
  const unlock = await startLock(target.managedDir);
  try {
    await shutDownIfAlone(target.url);
  } finally {
    await unlock();
  }
}

async function shutDownIfAlone(url: string): Promise<void> {
  const probe = probeOf(url);
  try {
    await probe.connect();
    for (let look = 1; ; look += 1) {
      if ((await otherClients(probe)) === 0) {
        await probe.shutdown().catch(() => undefined); // the connection ends with the server
        return;
      }
      if (look === RELEASE_LOOKS) break;
      await delay(RELEASE_LOOK_GAP_MS);
    }
    await probe.quit(); // the next release must not count this probe
  } catch {
    // already gone: nothing to stop
  } finally {
    closeProbe(probe);
  }
}

async function otherClients(probe: Redis): Promise<number> {
  const listed = String(await probe.client('LIST'))
    .split('\n')
    .filter((line) => line.startsWith('id=')).length;
  return listed - 1; // the probe itself
}

/** One connection attempt, no retries: a configured Redis that does not answer is a one-line error. */
export async function requireAnswering(url: string): Promise<void> {
  const failure = await pingOnce(url);
  if (failure !== null) throw new FeedError('CLI_REDIS_UNAVAILABLE', { url: redactUrl(url), detail: failure });
}

/** One PING, no retries: true when `url` answers. */
export async function answers(url: string): Promise<boolean> {
  return (await pingOnce(url)) === null;
}

/** null when `url` answers PING; else why not. */
async function pingOnce(url: string): Promise<string | null> {
  const probe = probeOf(url, 3000);
  try {
    await probe.connect();
    await probe.ping();
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    closeProbe(probe);
  }
}

/** The URL in `redis.port` when a server answers there and keeps its data in `dir` (not some other server). */
async function runningPrivateServer(dir: string): Promise<string | null> {
  const port = await readFile(join(dir, 'redis.port'), 'utf8').catch(() => '');
  if (!/^\d+\s*$/.test(port)) return null;
  const url = `redis://127.0.0.1:${port.trim()}`;
  const probe = probeOf(url, 1000);
  try {
    await probe.connect();
    const [, serverDir] = (await probe.config('GET', 'dir')) as [string, string];
    return serverDir === dir ? url : null;
  } catch {
    return null;
  } finally {
    closeProbe(probe);
  }
}

async function startPrivateServer(dir: string, localUrl: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const port = await freeLoopbackPort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
  ];
  args.push('--save', '', '--maxmemory-policy', 'noeviction', '--logfile', 'redis.log', '--daemonize', 'no');
  // Detached: Ctrl-C on the terminal must reach feedproc only, which then finishes its work and releases Redis.
  const child = spawn('redis-server', args, { cwd: dir, detached: true, stdio: 'ignore' });
  const spawnFailure = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${String(code)}`)));
  });
  spawnFailure.catch(() => undefined); // it may settle after the race is decided
  child.unref();
  const url = `redis://127.0.0.1:${port}`;
  const startup = { failed: false };
  try {
    await Promise.race([spawnFailure, waitUntilAnswering(url, startup)]);
  } catch (err) {
    startup.failed = true; // ends the polling loop
    child.kill('SIGKILL'); // never leave a server running that no redis.port points to
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new FeedError('CLI_REDIS_SERVER_MISSING', { url: localUrl });
    throw new FeedError('CLI_REDIS_UNAVAILABLE', {
      url,
      detail: `the private redis-server did not start (see ${join(dir, 'redis.log')})`,
    });
  }
  await writeFile(join(dir, 'redis.port.tmp'), `${port}\n`);
  await rename(join(dir, 'redis.port.tmp'), join(dir, 'redis.port'));
  return url;
}

async function waitUntilAnswering(url: string, startup: { failed: boolean }): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await answers(url))) {
    if (startup.failed) return;
    if (Date.now() > deadline) throw new Error('timeout');
    await delay(50);
  }
}

export function freeLoopbackPort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

/** One connection, no retries, no offline queue of commands: a question to the server, not a client of it. */
function probeOf(url: string, connectTimeout?: number): Redis {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    ...(connectTimeout === undefined ? {} : { connectTimeout }),
  });
  probe.on('error', () => undefined); // every failure is answered where the probe is used
  return probe;
}

/** ioredis arms a 2 s timer on disconnect() that a socket closed already never clears; skip it then. */
function closeProbe(probe: Redis): void {
  if (probe.status !== 'end') probe.disconnect();
}
