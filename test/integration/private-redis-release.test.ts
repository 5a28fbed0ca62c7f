/**
 * Releasing the private redis-server (docs/operations.md#the-private-redis-server), in-process against a real
 * redis-server in a temp folder: processes that stop at the same moment still shut it down (the last one counts no
 * one else), a client still connected keeps it running, and a lock left by a killed process does not hold anyone.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { answers, releaseRedis, type RedisTarget } from '../../src/cli/managed-redis.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { makeTempDir } from '../helpers/tmp.js';
import { until } from '../helpers/wait.js';

const tmp = makeTempDir('feedproc-release-');
const servers: RedisServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  tmp.cleanup();
});

async function privateServer(name: string): Promise<RedisTarget> {
  mkdirSync(join(tmp.dir, name));
  const dir = realpathSync(join(tmp.dir, name));
  const server = await startRedisServer({ dir });
  servers.push(server);
  return { url: server.url, managedDir: dir };
}

/** A pid no process has: one that just ended. */
function deadPid(): number {
  const ended = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(ended.stdout);
}

describe('releasing the private redis-server', () => {
  it('is shut down when three users release it at the same moment', async () => {
    const target = await privateServer('three');
    await Promise.all([releaseRedis(target), releaseRedis(target), releaseRedis(target)]);
    expect(await answers(target.url)).toBe(false);
  });

  it('keeps running while another client is connected, and stops when that one releases it', async () => {
    const target = await privateServer('kept');
    const other = new Redis(target.url);
    await other.ping();
    await releaseRedis(target);
    expect(await answers(target.url)).toBe(true);
    await other.quit();
    await releaseRedis(target);
    await until(async () => !(await answers(target.url)), 'the server to stop');
  });

  it('takes over a lock left by a process that was killed while holding it', async () => {
    const target = await privateServer('stale');
    writeFileSync(join(target.managedDir ?? '', 'start.lock'), String(deadPid()));
    await releaseRedis(target); // would wait for the 90 s staleness age without the owner check
    expect(await answers(target.url)).toBe(false);
  }, 30_000);
});
