/**
 * Connections for the commands that need Redis: one ledger connection that fails fast (producers must not
 * queue commands while Redis is down), a BullMQ queue, and — for workers — a blocking connection and the
 * noeviction check.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { withLedgerScripts } from '../apply/scripts.js';
import type { Config } from '../core/config.js';
import { FeedError } from '../core/errors.js';
import { redactUrl, releaseRedis, resolveRedis } from './managed-redis.js';
import { APPLY_QUEUE } from '../queue/names.js';
import type { PipelineDeps } from '../queue/pipeline-deps.js';
import type { SchemaRegistry } from '../validate/index.js';

export interface Runtime {
  deps: PipelineDeps;
  /** A connection for a BullMQ Worker (blocking commands, retries forever). */
  workerConnection(): Redis;
  close(): Promise<void>;
}

export async function openRuntime(config: Config, schemas: SchemaRegistry, options: { workers: boolean; notice?: (line: string) => void }): Promise<Runtime> {
  const target = await resolveRedis(config, options.notice ?? ((line) => process.stderr.write(`${line}\n`)));
  const url = target.url;
  // After the first answer, connections reconnect on their own (a Redis restart must not end a worker).
  // Producers keep failing fast while Redis is away (no offline queue); workers wait for it to come back.
  const redis = new Redis(url, {
    lazyConnect: true,
    ...(options.workers ? { maxRetriesPerRequest: null } : { enableOfflineQueue: false, maxRetriesPerRequest: 1 }),
  });
  redis.on('error', () => undefined); // surfaced by the commands that fail
  await redis.connect(); // without an offline queue, nothing may be sent before the connection is ready
  if (options.workers) {
    await requireNoEviction(redis, url).catch((err: unknown) => {
      redis.disconnect(); // an open connection would keep the process alive after the error line
      throw err;
    });
  }
  const queueConnection = new Redis(url, { maxRetriesPerRequest: null });
  queueConnection.on('error', () => undefined);
  const queue = new Queue(APPLY_QUEUE, {
    connection: queueConnection,
    prefix: config.prefix,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: false, attempts: 10, backoff: { type: 'exponential', delay: 500 } },
  });
  queue.on('error', () => undefined); // without a listener BullMQ logs every reconnect attempt to the console
  const workerConnections: Redis[] = [];
  const deps: PipelineDeps = { config, redis: withLedgerScripts(redis), schemas, queue, now: () => new Date().toISOString() };
  return {
    deps,
    workerConnection() {
      const connection = new Redis(url, { maxRetriesPerRequest: null });
      connection.on('error', () => undefined);
      workerConnections.push(connection);
      return connection;
    },
    async close() {
      await queue.close();
      for (const connection of [queueConnection, ...workerConnections]) connection.disconnect();
      await redis.quit().catch(() => redis.disconnect());
      await releaseRedis(target);
    },
  };
}

/** Queued jobs must never be evicted: workers refuse to start on any other policy. */
async function requireNoEviction(redis: Redis, url: string): Promise<void> {
  const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
  if (policy !== 'noeviction') throw new FeedError('CLI_REDIS_EVICTION', { url: redactUrl(url), policy });
}
