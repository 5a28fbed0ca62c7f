/**
 * One chaos scenario's surroundings: a temp folder, a redis-server of its own, the world's orders imported
 * with `feedproc orders import`, the feed written, and the checks every scenario ends with — the ledger read
 * from Redis against the sequential oracle, the cancellation events and stock, and the report.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  MERCHANT,
  compareWithOracle,
  countEvents,
  expectedSummary,
  oracle,
  readLedger,
  readStock,
  reportRefusals,
  writeFeed,
  writeOrderReport,
  type Comparison,
  type Expected,
  type JsonReport,
  type World,
} from './chaos-world.js';
import { ledgerKeys } from '../../src/apply/keys.js';
import { feedKeys, type FeedKeys } from '../../src/queue/names.js';
import {
  cliEnv,
  runCliToEnd,
  startChaosRedis,
  type ChaosRedis,
  type RedisOptions,
  type WorkerFleet,
} from './chaos-processes.js';
import { REPO_ROOT } from './cli.js';
import { makeTempDir } from './tmp.js';

export const PREFIX = 'chaos';
export const FIGURES_DIR = join(REPO_ROOT, 'test-artifacts', 'chaos');

export interface Scenario {
  dir: string;
  redis: ChaosRedis;
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  /** Imports the world's orders through the CLI and writes its feed; returns the feed's path. */
  prepare(world: World, name?: string, comment?: string): Promise<string>;
  close(): Promise<void>;
}

/** The world's merchant's ledger keys under the scenarios' prefix (src/apply/keys.ts). */
export const chaosLedgerKeys = ledgerKeys(PREFIX, MERCHANT);

/** The feed's Redis keys under the scenarios' prefix (src/queue/names.ts). */
export const chaosFeedKeys = (feedId: string): FeedKeys => feedKeys(PREFIX, feedId);

/** The scenarios and worker fleets a test file opens: each test pushes its own; all stopped and closed after the file. */
export function closedAfterAll(): { opened: Scenario[]; fleets: WorkerFleet[] } {
  const opened: Scenario[] = [];
  const fleets: WorkerFleet[] = [];
  afterAll(async () => {
    for (const fleet of fleets) await fleet.stopAll();
    for (const scenario of opened) await scenario.close();
  });
  return { opened, fleets };
}

export async function openScenario(name: string, redis: Omit<RedisOptions, 'dir'>): Promise<Scenario> {
  mkdirSync(FIGURES_DIR, { recursive: true });
  const tmp = makeTempDir(`feedproc-chaos-${name}-`);
  const redisDir = join(tmp.dir, 'redis');
  mkdirSync(redisDir);
  const server = await startChaosRedis({ ...redis, dir: redisDir });
  const scenario: Scenario = {
    dir: tmp.dir,
    redis: server,
    env: (extra = {}) => cliEnv(server.url, PREFIX, { FEEDPROC_FEEDS_DIR: join(tmp.dir, 'feeds'), ...extra }),
    async prepare(world, file = 'feed.xml', comment = '') {
      const orders = join(tmp.dir, 'orders.txt');
      writeOrderReport(orders, world);
      const imported = await runCliToEnd(['orders', 'import', orders], scenario.env());
      if (imported.code !== 0) throw new Error(`orders import failed: ${imported.stderr}${imported.stdout}`);
      const path = join(tmp.dir, file);
      writeFeed(path, world, comment);
      return path;
    },
    async close() {
      await server.stop();
      tmp.cleanup();
    },
  };
  return scenario;
}

export interface Verdict {
  comparison: Comparison;
  events: { got: number; want: number };
  stock: { got: Record<string, number>; want: Record<string, number> };
  report: ReturnType<typeof reportRefusals>;
  expectedReport: { summary: JsonReport['summary']; refusals: Map<number, number>; repeated: number[] };
}

/** Everything a scenario asserts at its end, gathered (the test compares `report` with `expectedReport`, …). */
export async function verdict(scenario: Scenario, world: World, expected: Expected, feedId: string): Promise<Verdict> {
  const client = scenario.redis.client();
  const ledger = await readLedger(client, PREFIX, world);
  const stock = Object.fromEntries([...(await readStock(client, PREFIX))].sort());
  const shown = await runCliToEnd(['report', feedId, '--format', 'json'], scenario.env());
  if (shown.code !== 0 && shown.code !== 3)
    throw new Error(`feedproc report ${feedId} exited ${shown.code}: ${shown.stderr}`);
  return {
    comparison: compareWithOracle(ledger, expected),
    events: { got: await countEvents(client, PREFIX), want: expected.cancellations },
    stock: { got: stock, want: Object.fromEntries([...expected.restocked].sort()) },
    report: reportRefusals(JSON.parse(shown.stdout) as JsonReport),
    expectedReport: { summary: expectedSummary(world, expected), refusals: expected.refusals, repeated: [] },
  };
}

export { oracle };
