/**
 * The bench's own redis-server (never the machine's): a free loopback port, no persistence, noeviction as the
 * workers require. The baseline probes find it through REDIS_PORT (baselines/common.ts), feedproc's
 * children through the URL they are given.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { answers, freeLoopbackPort } from '../../dist/cli/managed-redis.js';

export interface BenchRedis {
  url: string;
  port: number;
  stop(): void;
}

const started = new Set<ChildProcess>();

export async function startBenchRedis(dir: string): Promise<BenchRedis> {
  const port = await freeLoopbackPort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    '--maxmemory-policy',
    'noeviction',
  ];
  const child = spawn('redis-server', args, { stdio: 'ignore', detached: true });
  started.add(child);
  let spawnError: Error | null = null;
  child.once('error', (err) => (spawnError = err));
  const url = `redis://127.0.0.1:${port}`;
  await waitForPing(url, child, () => spawnError);
  return {
    url,
    port,
    stop: () => {
      child.kill('SIGKILL');
      started.delete(child);
    },
  };
}

/** For an interrupted bench: no redis-server of ours outlives it. */
export function stopBenchRedis(): void {
  for (const child of started) child.kill('SIGKILL');
  started.clear();
}

async function waitForPing(url: string, child: ChildProcess, spawnError: () => Error | null): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const failed = spawnError();
    if (failed) throw new Error(`cannot run redis-server: ${failed.message}`);
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    if (await answers(url)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the bench redis-server at ${url} did not answer`);
}
