/**
 * Redis full (maxmemory, noeviction) while the drop folder submits a file, against a real `feedproc watch` and a
 * redis-server of its own: the watcher backs off (each pause twice the last) and tries again under the one
 * FeedSubmissionId it reserved (no cancelled record per try), never gives the file up while Redis is full however
 * many tries that takes, and processes the file once memory is available, without a restart.
 */
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { makeTempDir } from '../helpers/tmp.js';
import { merchantInbox, startWatch, type WatchProcess } from '../helpers/watcher.js';

const PREFIX = 'full';
const ROWS = 40_000;

describe('drop folder with Redis full', () => {
  let redisServer: RedisServer;
  let watch: WatchProcess | null = null;
  const tmp = makeTempDir('feedproc-full-');
  afterAll(async () => {
    if (watch && watch.child.exitCode === null) {
      watch.child.kill('SIGTERM');
      await watch.exited;
    }
    await redisServer?.stop();
    tmp.cleanup();
  });

  it('backs off without new feed ids, and processes the file once memory is freed', async () => {
    redisServer = await startRedisServer();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      FEEDPROC_REDIS_URL: redisServer.url,
      FEEDPROC_PREFIX: PREFIX,
      FEEDPROC_FEEDS_DIR: tmp.dir,
      FEEDPROC_WATCH_STABLE_MS: '200',
      // Short pauses, and a give-up count the full Redis outlasts: a failure that heals never counts toward it.
      FEEDPROC_WATCH_RETRY_MS: '100',
      FEEDPROC_FILE_ATTEMPTS: '3',
    };
    delete env['FEEDPROC_MERCHANT'];
    const client = new Redis(redisServer.url);
    try {
      watch = startWatch(env);
      await watch.waitFor((e) => e['event'] === 'watching');
      const used = Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1]);
      const limit = used + 2 * 1024 * 1024; // room for a feed record, not for 40,000 spilled messages
      await client.config('SET', 'maxmemory', String(limit));

      const inbox = merchantInbox(tmp.dir, 'A1FULL');
      const rows = Array.from({ length: ROWS }, (_, i) => `SKU-${i}\t${i % 100}`).join('\n');
      await writeFile(join(inbox, '.big.tmp'), `sku\tquantity\n${rows}\n`);
      await rename(join(inbox, '.big.tmp'), join(inbox, 'big.txt'));

      const oom = (e: Record<string, unknown>): boolean =>
        e['event'] === 'retry' && /out of memory/.test(String(e['error']));
      await watch.waitFor(() => watch?.events().filter(oom).length === 6, 120_000);
      // Six tries, twice the give-up count, one id: the record waits as _SUBMITTED_, nothing else was numbered,
      // nothing given up, and each pause was twice the one before, up to 15 times the first.
      expect(await client.get(`${PREFIX}:feeds:seq`)).toBe('1');
      expect(await client.hget(`${PREFIX}:{f:50001}:feed`, 'status')).toBe('_SUBMITTED_');
      expect(watch.events().filter((e) => e['event'] === 'given-up')).toEqual([]);
      const pauses = watch
        .events()
        .filter((e) => e['event'] === 'retry')
        .map((e) => e['retryInMs']);
      expect(pauses.slice(0, 6)).toEqual([100, 200, 400, 800, 1500, 1500]);

      await client.config('SET', 'maxmemory', '0');
      const feed = await watch.waitFor((e) => e['event'] === 'feed', 180_000);
      expect(feed).toMatchObject({ feedSubmissionId: '50001', status: 'Complete', messagesProcessed: ROWS });
      expect(await client.get(`${PREFIX}:feeds:seq`)).toBe('1');
      expect(await client.hlen(`${PREFIX}:{m:A1FULL}:stock`)).toBe(ROWS);
      expect(watch.events().filter((e) => e['event'] === 'given-up')).toEqual([]);
    } finally {
      await client.quit();
    }
  }, 300_000);
});
