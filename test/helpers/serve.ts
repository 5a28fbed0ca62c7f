/** A real `feedproc serve` process on a free port, a temp drop folder and the test redis-server, plus its keys. */
import { Redis } from 'ioredis';
import { runCli } from './cli.js';
import { removePrefix, testRedisUrl, uniquePrefix } from './redis.js';
import { makeTempDir } from './tmp.js';
import { startLongRunning, type WatchProcess } from './watcher.js';

export interface ServeProcess {
  /** http://127.0.0.1:<port> (no trailing slash). */
  base: string;
  port: number;
  feedsDir: string;
  prefix: string;
  env: NodeJS.ProcessEnv;
  process: WatchProcess;
  /** `feedproc keys create --merchant M --format json`. */
  createKey(merchantId: string): Promise<{ accessKeyId: string; secretKey: string; merchantId: string }>;
  /** `feedproc keys revoke ID`. */
  revokeKey(accessKeyId: string): Promise<void>;
  /** Loads an order report for a merchant (`orders import`). */
  importOrders(merchantId: string, file: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startServe(extraEnv: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const tmp = makeTempDir('feedproc-serve-');
  const prefix = uniquePrefix();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FEEDPROC_REDIS_URL: testRedisUrl(),
    FEEDPROC_PREFIX: prefix,
    FEEDPROC_FEEDS_DIR: tmp.dir,
    FEEDPROC_HTTP_PORT: '0',
    FEEDPROC_JOB_LOCK_MS: '5000',
    // Feeds that come in over HTTP pass through the drop folder, which waits out its stability window (2 s by
    // default) before it reads a file: a tenth of it here, since serve writes each upload whole and renames it in.
    // Tests about that wait (a feed still queued, cancelled before it is read) set their own window.
    FEEDPROC_WATCH_STABLE_MS: '200',
    ...extraEnv,
  };
  const child = startLongRunning(['serve'], env);
  const listening = await child.waitFor((e) => e['event'] === 'listening');
  const port = Number(listening['port']);
  const cli = async (args: string[]): Promise<string> => {
    const run = await runCli(args, { env });
    if (run.code !== 0) throw new Error(`feedproc ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
    return run.stdout;
  };
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    feedsDir: tmp.dir,
    prefix,
    env,
    process: child,
    async createKey(merchantId) {
      return JSON.parse(await cli(['keys', 'create', '--merchant', merchantId, '--format', 'json'])) as {
        accessKeyId: string;
        secretKey: string;
        merchantId: string;
      };
    },
    async revokeKey(accessKeyId) {
      await cli(['keys', 'revoke', accessKeyId]);
    },
    async importOrders(merchantId, file) {
      await cli(['orders', 'import', file, '--merchant', merchantId]);
    },
    async stop() {
      if (child.child.exitCode === null) {
        child.child.kill('SIGTERM');
        await child.exited;
      }
      const redis = new Redis(testRedisUrl());
      await removePrefix(redis, prefix);
      await redis.quit();
      tmp.cleanup();
    },
  };
}
