/**
 * A real Redis Cluster for tests: `masters` redis-server processes with `--cluster-enabled yes`, each on a free
 * loopback port in a temp folder of its own, joined by `redis-cli --cluster create` (no replicas), ready once
 * every node reports `cluster_state:ok`. Never the machine's own Redis.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './redis-server.js';
import { sleep } from './wait.js';

export interface RedisClusterNodes {
  /** `127.0.0.1:p1,127.0.0.1:p2,…`, as FEEDPROC_REDIS_CLUSTER takes it. */
  seeds: string;
  ports: number[];
  /** A plain connection to each master, to look at what each one holds. */
  connectEach(): Redis[];
  stop(): Promise<void>;
}

export async function startRedisCluster(masters = 3): Promise<RedisClusterNodes> {
  const dir = mkdtempSync(join(tmpdir(), 'feedproc-cluster-'));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(
      children.map((child) => {
        if (child.exitCode !== null || child.signalCode !== null) return undefined;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL'); // nothing to keep: no persistence
        return exited;
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i += 1) {
      const port = await freePort();
      const nodeDir = join(dir, String(port));
      mkdirSync(nodeDir); // a folder per node: each keeps its own nodes.conf
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', nodeDir, '--cluster-enabled', 'yes'];
      args.push(
        '--cluster-config-file',
        `nodes-${port}.conf`,
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
      );
      children.push(spawn('redis-server', args, { stdio: 'ignore' }));
      ports.push(port);
    }
    for (const port of ports) await waitForPing(port);
    const create = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}\n${create.stderr}`);
    for (const port of ports) await waitForClusterOk(port);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    seeds: ports.map((p) => `127.0.0.1:${p}`).join(','),
    ports,
    connectEach: () => ports.map((port) => new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 })),
    stop,
  };
}

async function waitForPing(port: number): Promise<void> {
  await poll(port, async (client) => (await client.ping()) === 'PONG');
}

/** Slots are assigned at once, but each node reports ok only after the cluster bus has agreed on them. */
async function waitForClusterOk(port: number): Promise<void> {
  await poll(port, async (client) => /cluster_state:ok/.test(String(await client.cluster('INFO'))));
}

async function poll(port: number, check: (client: Redis) => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    const client = new Redis(port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined); // refused while the server starts: retried below
    try {
      await client.connect();
      if (await check(client)) return;
    } catch {
      // not yet
    } finally {
      client.disconnect();
    }
    await sleep(50);
  }
  throw new Error(`redis-server on port ${port} did not become ready as a cluster node`);
}
