/**
 * Connections for the commands that need Redis: one ledger connection that fails fast (producers must not
 * queue commands while Redis is down), a BullMQ queue, and — for workers — a blocking connection and the
 * noeviction check. Against one redis-server (configured, local or private) or a Redis Cluster
 * (`redisCluster`): the same roles, built as ioredis `Redis` or `Cluster` clients.
 */
import { Queue } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import { withLedgerScripts } from '../apply/scripts.js';
import { clusterNodes, type Config } from '../core/config.js';
import { FeedError } from '../core/errors.js';
import { dataNodes, type RedisClient } from '../core/redis-client.js';
import { redactUrl, releaseRedis, resolveRedis, type RedisTarget } from './managed-redis.js';
import { APPLY_QUEUE, queuePrefix } from '../queue/names.js';
import type { PipelineDeps } from '../queue/pipeline-deps.js';
import type { SchemaRegistry } from '../validate/index.js';
import { stopBudget, type StopBudget } from './stop-signal.js';

export interface Runtime {
  deps: PipelineDeps;
  /** A connection for a BullMQ Worker (blocking commands, retries forever). */
  workerConnection(): RedisClient;
  /**
   * Closes the queue and every connection within what is left of `budget` (by default the stop bound): a
   * Redis that does not answer gets its connections dropped instead of waited for.
   */
  close(budget?: StopBudget): Promise<void>;
}

/** What a connection is for: producers fail fast, workers and the queue wait for Redis to come back. */
type Role = 'producer' | 'worker';

interface Target {
  /** For messages: the URL, or the Cluster's seed nodes. */
  name: string;
  connect(role: Role, options?: { lazyConnect?: boolean }): RedisClient;
  release(): Promise<void>;
}

export async function openRuntime(
  config: Config,
  schemas: SchemaRegistry,
  options: { workers: boolean; notice?: (line: string) => void; readOnly?: boolean },
): Promise<Runtime> {
  const target =
    config.redisCluster !== null
      ? await clusterTarget(config)
      : singleTarget(
          await resolveRedis(config, options.notice ?? ((line) => process.stderr.write(`${line}\n`)), {
            readOnly: options.readOnly ?? false,
          }),
        );
  // After the first answer, connections reconnect on their own (a Redis restart must not end a worker).
  // Producers keep failing fast while Redis is away (no offline queue); workers wait for it to come back.
  const redis = target.connect(options.workers ? 'worker' : 'producer', { lazyConnect: true });
  redis.on('error', () => undefined); // surfaced by the commands that fail
  await redis.connect(); // without an offline queue, nothing may be sent before the connection is ready
  if (options.workers) {
    await requireNoEviction(redis, target.name).catch((err: unknown) => {
      redis.disconnect(); // an open connection would keep the process alive after the error line
      throw err;
    });
  }
  const queueConnection = target.connect('worker');
  queueConnection.on('error', () => undefined);
  const queue = new Queue(APPLY_QUEUE, {
    connection: queueConnection,
    prefix: queuePrefix(config),
    defaultJobOptions: {
      removeOnComplete: true,
      removeOnFail: false,
      attempts: config.jobAttempts,
      backoff: { type: 'exponential', delay: config.jobBackoffMs },
    },
  });
  queue.on('error', () => undefined); // without a listener BullMQ logs every reconnect attempt to the console
  const workerConnections: RedisClient[] = [];
  const deps: PipelineDeps = {
    config,
    redis: withLedgerScripts(redis),
    schemas,
    queue,
    now: () => new Date().toISOString(),
  };
  return {
    deps,
    workerConnection() {
      const connection = target.connect('worker');
      connection.on('error', () => undefined);
      workerConnections.push(connection);
      return connection;
    },
    async close(budget = stopBudget(config.stopTimeoutMs)) {
      await budget.finalStep(() => queue.close());
      for (const connection of [queueConnection, ...workerConnections]) connection.disconnect();
      if (!(await budget.finalStep(() => redis.quit()))) redis.disconnect();
      await budget.finalStep(() => target.release());
    },
  };
}

function singleTarget(resolved: RedisTarget): Target {
  const roleOptions = (role: Role) =>
    role === 'worker' ? { maxRetriesPerRequest: null } : { enableOfflineQueue: false, maxRetriesPerRequest: 1 };
  return {
    name: redactUrl(resolved.url),
    connect: (role, options = {}) => new Redis(resolved.url, { ...options, ...roleOptions(role) }),
    release: () => releaseRedis(resolved),
  };
}

/**
 * A Redis Cluster from its seed nodes (ioredis learns the rest from CLUSTER SLOTS). Checked once, without
 * retries, like a configured URL: a Cluster that does not answer is a one-line error, not a queue of commands.
 */
async function clusterTarget(config: Config): Promise<Target> {
  const nodes = clusterNodes(config);
  const name = `cluster ${config.redisCluster ?? ''}`;
  const connect = (role: Role, options: { lazyConnect?: boolean } = {}): Cluster =>
    new Cluster(nodes, {
      ...options,
      ...(role === 'worker' ? {} : { enableOfflineQueue: false }),
      redisOptions: { maxRetriesPerRequest: role === 'worker' ? null : 1, connectTimeout: 3000 },
    });
  const probe = new Cluster(nodes, {
    lazyConnect: true,
    enableOfflineQueue: false,
    clusterRetryStrategy: () => null,
    redisOptions: { maxRetriesPerRequest: 0, connectTimeout: 3000 },
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    const info = String(await probe.cluster('INFO'));
    if (!/cluster_state:ok/.test(info))
      throw new Error(`cluster_state is not ok (${/cluster_state:(\w+)/.exec(info)?.[1] ?? 'unknown'})`);
  } catch (err) {
    throw new FeedError('CLI_REDIS_UNAVAILABLE', {
      url: name,
      detail: err instanceof Error ? err.message : String(err),
    });
  } finally {
    probe.disconnect();
  }
  return { name, connect, release: async () => undefined };
}

/** Queued jobs must never be evicted: workers refuse to start on any other policy (on every master of a Cluster). */
async function requireNoEviction(redis: RedisClient, name: string): Promise<void> {
  for (const node of dataNodes(redis)) {
    const [, policy] = (await node.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy !== 'noeviction')
      throw new FeedError('CLI_REDIS_EVICTION', {
        url: dataNodes(redis).length > 1 ? `${name} (${node.options.host}:${node.options.port})` : name,
        policy,
      });
  }
}
