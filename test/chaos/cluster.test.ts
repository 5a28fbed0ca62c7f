/**
 * The whole pipeline on a Redis Cluster of 3 masters (real redis-server processes joined by redis-cli) gives what
 * it gives on one redis-server: the same commands — `orders import`, `process`, `submit` with separate
 * `feedproc worker` processes, the drop-folder watcher, `report`, `order`, `inventory` — run once against each,
 * and the reports and ledger JSON are compared byte for byte. On the Cluster the keys must really spread: each
 * merchant's ledger on the master its `{m:…}` tag names, the BullMQ queue under `{<prefix>}` on one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster, Redis as IORedis, type Redis } from 'ioredis';
import { inventoryJson, orderJson } from '../../src/apply/ledger-json.js';
import { createLedger } from '../../src/apply/ledger.js';
import { withLedgerScripts } from '../../src/apply/scripts.js';
import { CLI, runCli, type CliRun } from '../helpers/cli.js';
import { startRedisCluster, type RedisClusterNodes } from '../helpers/redis-cluster.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { makeTempDir } from '../helpers/tmp.js';
import { merchantInbox, startWatch } from '../helpers/watcher.js';

const PREFIX = 'chaos';
const ORDERS = 4;
const tmp = makeTempDir('feedproc-cluster-');
let cluster: RedisClusterNodes;
let single: RedisServer;
let merchants: string[];

beforeAll(async () => {
  [cluster, single] = await Promise.all([startRedisCluster(3), startRedisServer()]);
  merchants = await oneMerchantPerMaster(cluster);
}, 30_000);

afterAll(async () => {
  await Promise.all([cluster?.stop(), single?.stop()]);
  tmp.cleanup();
});

const orderId = (m: number, o: number): string => `40${m + 1}-7000000-${String(o).padStart(7, '0')}`;
const itemA = (m: number, o: number): string => `6${m}${String(o).padStart(11, '0')}1`;
const itemB = (m: number, o: number): string => `6${m}${String(o).padStart(11, '0')}2`;
const skuA = (o: number): string => `MUG-${o % 2}`;

function orderReport(m: number): string {
  const header =
    'order-id\torder-item-id\tpurchase-date\tbuyer-email\tbuyer-name\tsku\tquantity-purchased\tcurrency\titem-price\titem-tax\tsales-channel';
  const rows = Array.from({ length: ORDERS }, (_, o) => [
    `${orderId(m, o)}\t${itemA(m, o)}\t2026-11-20T10:00:00Z\tb${o}@example.com\tBuyer ${o}\t${skuA(o)}\t3\tPLN\t60.00\t12.00\tAmazon.pl`,
    `${orderId(m, o)}\t${itemB(m, o)}\t2026-11-20T10:00:00Z\tb${o}@example.com\tBuyer ${o}\tBOARD-${o}\t2\tPLN\t30.00\t6.00\tAmazon.pl`,
  ]).flat();
  return `${[header, ...rows].join('\n')}\n`;
}

/**
 * Three rounds over the orders, so each order gets several messages spread through the file: a refund with a
 * cancellation of item A, a tax refund on item B, and a refund above what item A was charged (refused, 97102).
 * Item A and the tax of B are this feed's alone, so its outcomes do not depend on the flat feed beside it.
 */
function xmlFeed(m: number): string {
  const adjustment = (id: number, o: number, item: string, components: string, cancel: string): string =>
    `<Message><MessageID>${id}</MessageID><OrderAdjustment><AmazonOrderID>${orderId(m, o)}</AmazonOrderID><AdjustedItem>` +
    `<AmazonOrderItemCode>${item}</AmazonOrderItemCode><AdjustmentReason>CustomerCancel</AdjustmentReason>` +
    `<ItemPriceAdjustments>${components}</ItemPriceAdjustments>${cancel}</AdjustedItem></OrderAdjustment></Message>\n`;
  const component = (type: string, amount: string): string =>
    `<Component><Type>${type}</Type><Amount currency="PLN">${amount}</Amount></Component>`;
  const messages: string[] = [];
  for (let round = 0; round < 3; round += 1) {
    for (let o = 0; o < ORDERS; o += 1) {
      const id = messages.length + 1;
      if (round === 0)
        messages.push(
          adjustment(
            id,
            o,
            itemA(m, o),
            component('Principal', '20.00') + component('Tax', '4.00'),
            '<QuantityCancelled>1</QuantityCancelled>',
          ),
        );
      if (round === 1) messages.push(adjustment(id, o, itemB(m, o), component('Tax', '1.00'), ''));
      if (round === 2) messages.push(adjustment(id, o, itemA(m, o), component('Principal', '100.00'), ''));
    }
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">\n` +
    `<Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>${merchants[m]}</MerchantIdentifier></Header>\n` +
    `<MessageType>OrderAdjustment</MessageType>\n${messages.join('')}</AmazonEnvelope>\n`
  );
}

const FLAT_HEADER =
  'order-id\torder-item-id\tadjustment-reason-code\tcurrency\titem-price-adj\titem-tax-adj\tquantity-cancelled';

/** Per order: item B's principal refunded with one unit cancelled, then five more units cancelled (refused, 97104). */
function flatFeed(m: number): string {
  const rows = Array.from(
    { length: ORDERS },
    (_, o) => `${orderId(m, o)}\t${itemB(m, o)}\tNoInventory\tPLN\t2.00\t\t1`,
  );
  const more = Array.from(
    { length: ORDERS },
    (_, o) => `${orderId(m, o)}\t${itemB(m, o)}\tNoInventory\tPLN\t0.50\t\t5`,
  );
  return `${[FLAT_HEADER, ...rows, ...more].join('\n')}\n`;
}

/** The file dropped into the watched folder: item B's remaining tax (5.00), refunded in two steps (the second refused, 97102). */
function droppedFeed(m: number): string {
  const rows = Array.from({ length: ORDERS }, (_, o) => [
    `${orderId(m, o)}\t${itemB(m, o)}\tCustomerReturn\tPLN\t\t4.90\t`,
    `${orderId(m, o)}\t${itemB(m, o)}\tCustomerReturn\tPLN\t\t0.20\t`,
  ]).flat();
  return `${[FLAT_HEADER, ...rows].join('\n')}\n`;
}

interface Outcome {
  /** Reports by name, as the CLI and the watcher wrote them. */
  reports: Record<string, string>;
  /** `order` / `inventory` JSON by name. */
  ledger: Record<string, string>;
}

/**
 * The same sequence of real feedproc processes against whichever Redis `redisEnv` names. Feeds are submitted
 * one after another, so FeedSubmissionIds (which reports carry) are the same in both runs. Few processes:
 * each feedproc start costs about a second of CPU on this VM, so the long-running watcher also imports two of
 * the order reports and takes two of the feeds.
 */
async function runScenario(name: string, redisEnv: Record<string, string>): Promise<Outcome> {
  const dir = join(tmp.dir, name);
  const feedsDir = join(dir, 'feeds');
  mkdirSync(feedsDir, { recursive: true });
  const { FEEDPROC_REDIS_URL: _url, FEEDPROC_REDIS_CLUSTER: _cluster, ...inherited } = process.env;
  const env = {
    ...inherited,
    ...redisEnv,
    FEEDPROC_PREFIX: PREFIX,
    FEEDPROC_FEEDS_DIR: feedsDir,
    FEEDPROC_WATCH_STABLE_MS: '50',
    FEEDPROC_JOB_LOCK_MS: '5000',
  };
  const as = (m: number): NodeJS.ProcessEnv => ({ ...env, FEEDPROC_MERCHANT: merchants[m] });
  const file = (fileName: string, content: string): string => {
    const path = join(dir, fileName);
    writeFileSync(path, content);
    return path;
  };
  const reports: Record<string, string> = {};
  const ledger: Record<string, string> = {};

  ok(await runCli(['orders', 'import', file('orders-0.txt', orderReport(0))], { env: as(0) }));
  const watch = startWatch(env, ['--no-workers']);
  const workers: ChildProcess[] = [];
  try {
    await watch.waitFor((e) => e['event'] === 'watching');
    const drop = async (m: number, fileName: string, content: string, event: string): Promise<void> => {
      renameSync(file(fileName, content), join(merchantInbox(feedsDir, merchants[m] as string), fileName));
      await watch.waitFor((e) => e['event'] === event && e['file'] === fileName, 60_000);
    };
    await drop(1, 'orders-1.txt', orderReport(1), 'orders-imported');
    await drop(2, 'orders-2.txt', orderReport(2), 'orders-imported');
    // Merchant 0's XML feed through `process` (its own in-process workers), before any worker process runs.
    reports['process-xml-0'] = ok(
      await runCli(['process', file('adjust-0.xml', xmlFeed(0)), '--workers', '2'], { env: as(0) }),
    ).stdout;
    workers.push(startWorker(env), startWorker(env));
    // `submit --wait`: registered and enqueued by the CLI, applied by the worker processes.
    reports['xml-1'] = ok(await runCli(['submit', file('adjust-1.xml', xmlFeed(1)), '--wait'], { env: as(1) })).stdout;
    reports['xml-2'] = ok(await runCli(['submit', file('adjust-2.xml', xmlFeed(2)), '--wait'], { env: as(2) })).stdout;
    reports['flat-0'] = ok(
      await runCli(['submit', file('adjust-0.txt', flatFeed(0)), '--wait'], { env: as(0) }),
    ).stdout;
    await drop(1, 'adjust-1.txt', flatFeed(1), 'feed');
    await drop(2, 'adjust-2.txt', flatFeed(2), 'feed');
    await drop(0, 'dropped-0.txt', droppedFeed(0), 'feed');
  } finally {
    await Promise.all([watch.child, ...workers].map(stopProcess));
  }
  const reportsDir = join(feedsDir, 'reports');
  for (const name of readdirSync(reportsDir).sort())
    reports[`file ${name}`] = readFileSync(join(reportsDir, name), 'utf8');
  const [json, order, inventory] = await Promise.all([
    runCli(['report', '50002', '--format', 'json'], { env: as(1) }),
    runCli(['order', orderId(0, 0), '--format', 'json'], { env: as(0) }),
    runCli(['inventory', skuA(0), '--format', 'json'], { env: as(2) }),
  ]);
  reports['report 50002 json'] = ok(json).stdout;
  ledger['cli order'] = ok(order).stdout;
  ledger['cli inventory'] = ok(inventory).stdout;
  Object.assign(ledger, await readLedger(redisEnv));
  return { reports, ledger };
}

/** Every order and SKU of the scenario, read in this process with the ledger's own code (the CLI's `order` JSON). */
async function readLedger(redisEnv: Record<string, string>): Promise<Record<string, string>> {
  const seeds = redisEnv['FEEDPROC_REDIS_CLUSTER'];
  const client = seeds
    ? new Cluster(seeds.split(',').map((s) => ({ host: '127.0.0.1', port: Number(s.split(':')[1]) })))
    : new IORedis(redisEnv['FEEDPROC_REDIS_URL'] as string);
  try {
    const found: Record<string, string> = {};
    for (let m = 0; m < merchants.length; m += 1) {
      const ledger = createLedger(withLedgerScripts(client), PREFIX, merchants[m] as string);
      for (let o = 0; o < ORDERS; o += 1) {
        const order = await ledger.order(orderId(m, o));
        found[`order ${m}/${o}`] = JSON.stringify(order ? orderJson(order) : null);
      }
      for (const sku of [skuA(0), skuA(1), ...Array.from({ length: ORDERS }, (_, o) => `BOARD-${o}`)]) {
        const record = await ledger.stock(sku);
        found[`stock ${m}/${sku}`] = JSON.stringify(record ? inventoryJson(sku, record) : null);
      }
    }
    return found;
  } finally {
    client.disconnect();
  }
}

function startWorker(env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [CLI, 'worker', '--concurrency', '2'], { env, stdio: 'ignore' });
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function ok(run: CliRun): CliRun {
  if (run.code !== 0 && run.code !== 3) throw new Error(`feedproc exited ${String(run.code)}: ${run.stderr}`);
  return run;
}

/** Merchant ids whose `{m:…}` slots belong to three different masters, found by asking the Cluster. */
async function oneMerchantPerMaster(nodes: RedisClusterNodes): Promise<string[]> {
  const [first, ...rest] = nodes.connectEach();
  const client = first as Redis;
  try {
    const ranges = await client.cluster('SLOTS');
    const portOf = (slot: number): number => ranges.find(([from, to]) => slot >= from && slot <= to)?.[2]?.[1] ?? -1;
    const byPort = new Map<number, string>();
    for (let i = 1; byPort.size < nodes.ports.length && i < 1000; i += 1) {
      const merchant = `A1CLUSTER${String(i).padStart(3, '0')}`;
      const port = portOf(Number(await client.cluster('KEYSLOT', `${PREFIX}:{m:${merchant}}:stock`)));
      if (!byPort.has(port)) byPort.set(port, merchant);
    }
    return nodes.ports.map((port) => byPort.get(port) as string);
  } finally {
    for (const c of [client, ...rest]) c.disconnect();
  }
}

describe('feedproc on a Redis Cluster of 3 masters', () => {
  it('gives the reports and ledger of one redis-server, with the keys spread over the masters', async () => {
    const onCluster = await runScenario('cluster', { FEEDPROC_REDIS_CLUSTER: cluster.seeds });
    const onSingle = await runScenario('single', { FEEDPROC_REDIS_URL: single.url });

    // Byte for byte: every report (XML, flat, JSON, and the watcher's file) and every ledger read.
    expect(Object.keys(onCluster.reports).sort()).toEqual(Object.keys(onSingle.reports).sort());
    for (const key of Object.keys(onSingle.reports))
      expect([key, onCluster.reports[key]]).toEqual([key, onSingle.reports[key]]);
    for (const key of Object.keys(onSingle.ledger))
      expect([key, onCluster.ledger[key]]).toEqual([key, onSingle.ledger[key]]);
    // The scenario means something: refusals of both kinds, cancellations and refunds are in it.
    writeFileSync(join(tmp.dir, 'outcomes.json'), JSON.stringify({ onSingle, onCluster }, null, 2)); // for a failing run
    expect(onSingle.reports['xml-1']).toContain('<ResultMessageCode>97102</ResultMessageCode>');
    const fileReport = (start: string): string =>
      Object.entries(onSingle.reports).find(([key]) => key.startsWith(`file ${start}`))?.[1] ?? '';
    const files = Object.keys(onSingle.reports)
      .filter((key) => key.startsWith('file '))
      .map((key) => key.replace(/\.5\d{4}\./, '.<id>.').replace(/\.A1CLUSTER\d{3}\.import\./, '.<M>.import.'));
    expect(files).toEqual([
      'file adjust-1.txt.<id>.report.txt',
      'file adjust-2.txt.<id>.report.txt',
      'file dropped-0.txt.<id>.report.txt',
      'file orders-1.txt.<M>.import.txt',
      'file orders-2.txt.<M>.import.txt',
    ]);
    expect(fileReport('adjust-2.txt')).toContain('97104');
    expect(fileReport('dropped-0.txt')).toContain('97102');
    const order = JSON.parse(onSingle.ledger['order 1/0'] as string) as {
      items: Array<{ quantityCancelled: number; refunded: Record<string, string> }>;
    };
    expect(order.items.map((i) => [i.quantityCancelled, i.refunded])).toEqual([
      [1, { Principal: '20.00', Tax: '4.00' }],
      [1, { Principal: '2.00', Tax: '1.00' }],
    ]);

    // Spread: each master holds the ledger of the merchant chosen for it and no other merchant's keys.
    const clients = cluster.connectEach();
    try {
      const keysOf = await Promise.all(clients.map((c) => c.keys('*')));
      keysOf.forEach((keys, i) => {
        const tags = new Set(keys.flatMap((k) => /\{m:([^}]*)\}/.exec(k)?.[1] ?? []));
        expect([i, [...tags]]).toEqual([i, [merchants[i]]]);
      });
      const all = keysOf.flat();
      expect(all.filter((k) => k.startsWith(`{${PREFIX}}:feed-apply:`)).length).toBeGreaterThan(0);
      expect(keysOf.filter((keys) => keys.some((k) => k.startsWith(`{${PREFIX}}:`))).length).toBe(1);
      expect(all.filter((k) => k.includes(':{f:')).length).toBeGreaterThan(0);
    } finally {
      for (const c of clients) c.disconnect();
    }
  }, 180_000); // ~35 s alone on the 2-core VM, ~85 s beside the rest of `npm test`: room for a loaded machine, not a measurement
});
