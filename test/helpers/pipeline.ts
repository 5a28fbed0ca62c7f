/** An in-process pipeline on the test redis-server: queue, workers and ledger under a prefix of the test's own. */
import { Queue, type Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createLedger, type Ledger } from '../../src/apply/ledger.js';
import { withLedgerScripts } from '../../src/apply/scripts.js';
import { loadConfig, type Config } from '../../src/core/config.js';
import { createApplyWorker } from '../../src/queue/apply-worker.js';
import { loadFeed, loadReport } from '../../src/queue/feed-store.js';
import { APPLY_QUEUE } from '../../src/queue/names.js';
import type { PipelineDeps } from '../../src/queue/pipeline-deps.js';
import { submitFeed } from '../../src/queue/submit-feed.js';
import type { Report } from '../../src/core/types.js';
import { createSchemaRegistry } from '../../src/validate/index.js';
import { removePrefix, testRedisUrl, uniquePrefix } from './redis.js';
import { waitUntil } from './wait.js';

export interface TestPipeline {
  deps: PipelineDeps;
  ledger: Ledger;
  /** Submits the file and waits until workers have finished it. */
  process(path: string): Promise<{ feedId: string; report: Report }>;
  startWorkers(count: number): void;
  close(): Promise<void>;
}

const schemas = createSchemaRegistry();

export function openTestPipeline(merchantId: string, workers = 1, redisUrl = testRedisUrl()): TestPipeline {
  const prefix = uniquePrefix();
  // The schema's defaults for everything else, as the CLI would have them.
  const config: Config = loadConfig(schemas.byName('config.schema.json'), {
    env: {},
    flags: { redisUrl, localRedisUrl: redisUrl, prefix, merchantId, mailFrom: 'feedproc <no-reply@feedproc.local>' },
  });
  const raw = new Redis(redisUrl);
  const redis = withLedgerScripts(raw);
  const connections: Redis[] = [];
  const connect = (): Redis => {
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    connections.push(connection);
    return connection;
  };
  const queue = new Queue(APPLY_QUEUE, {
    connection: connect(),
    prefix,
    defaultJobOptions: { removeOnComplete: true, attempts: 3 },
  });
  queue.on('error', () => undefined); // a Redis restart in a crash test; the commands that fail show it
  let clock = 0;
  const deps: PipelineDeps = {
    config,
    redis,
    schemas,
    queue,
    now: () => new Date(Date.UTC(2026, 10, 26, 12, 0, clock++)).toISOString(),
  };
  const running: Worker[] = [];
  const pipeline: TestPipeline = {
    deps,
    ledger: createLedger(redis, prefix, merchantId),
    startWorkers(count) {
      running.push(createApplyWorker(deps, connect(), count));
    },
    async process(path) {
      const record = await submitFeed(deps, path, { merchantId });
      const feedId = record.feedSubmissionId;
      const report = await waitUntil(
        `feed ${feedId} to be done`,
        async () => {
          const feed = await loadFeed(redis, prefix, feedId);
          return (feed?.status === '_DONE_' ? await loadReport(redis, prefix, feedId) : null) ?? undefined;
        },
        240_000,
        20,
      );
      return { feedId, report };
    },
    async close() {
      await Promise.all(running.map((w) => w.close()));
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await removePrefix(raw, prefix);
      await redis.quit();
      for (const connection of connections) connection.disconnect();
    },
  };
  if (workers > 0) pipeline.startWorkers(workers);
  return pipeline;
}
