/**
 * The chaos tests' world: seeded orders (written as Amazon's order report, imported with the CLI), seeded
 * adjustment feeds whose outcomes depend on the order they are applied in (refunds run into what was charged,
 * cancellations into the open units, MerchantAdjustmentItemIDs repeat), and the sequential oracle — plain
 * TypeScript applying the same messages one after another to in-memory orders, by the rules of README
 * "Ledger rules". The ledger, read straight from Redis afterwards, must equal the oracle: a lost message leaves
 * an item short of it, a message applied twice leaves one past it (or adds a second cancellation event).
 */
import { writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { ledgerKeys } from '../../src/apply/keys.js';

/** mulberry32 (the XSD corpus's generator), so a failing run can be replayed with its logged seed. */
export { random as seededRandom } from './xsd-corpus.js';

/** CHAOS_SEED from the environment (to replay a run), else a fresh one; always logged by the caller. */
export function chaosSeed(): number {
  const given = process.env['CHAOS_SEED'];
  return given ? Number(given) : Math.floor(Math.random() * 2 ** 31);
}

export const MERCHANT = 'A1CHAOSMERCHANT';
/** The charged components the generated refunds use. */
type Component = 'Principal' | 'Tax';

export interface ItemSpec {
  code: string;
  sku: string;
  ordered: number;
  charged: Record<Component, number>;
}

export interface OrderSpec {
  id: string;
  items: ItemSpec[];
}

/** One OrderAdjustment message with one AdjustedItem: a refund, a cancellation, or both. */
export interface AdjustmentSpec {
  messageId: number;
  order: number;
  item: number;
  reason: string;
  adjId?: string;
  components: Array<{ type: Component; amount: number }>;
  units: number;
}

export interface World {
  orders: OrderSpec[];
  messages: AdjustmentSpec[];
}

export const orderIdOf = (o: number, tag: number): string =>
  `40${tag}-${String(1000000 + (o % 9000000)).padStart(7, '0')}-${String(o).padStart(7, '0')}`;

/** `orders` orders of one or two items each and `messages` adjustments spread over them at random. */
export function makeWorld(random: () => number, orders: number, messages: number, tag = 7): World {
  const pick = (n: number): number => Math.floor(random() * n);
  const specs: OrderSpec[] = Array.from({ length: orders }, (_, o) => ({
    id: orderIdOf(o, tag),
    items: Array.from({ length: 1 + pick(2) }, (_, i) => {
      const ordered = 2 + pick(4);
      return {
        code: String(60000000000000 + o * 10 + i),
        sku: `CHAOS-SKU-${o % 97}`,
        ordered,
        charged: { Principal: ordered * (2000 + pick(4000)), Tax: ordered * 460 },
      };
    }),
  }));
  const list: AdjustmentSpec[] = [];
  for (let m = 1; m <= messages; m += 1) {
    const order = pick(orders);
    const item = pick(specs[order]?.items.length ?? 1);
    const roll = random();
    const refund = (): AdjustmentSpec['components'] => {
      const components: AdjustmentSpec['components'] = [{ type: 'Principal', amount: 100 * (1 + pick(30)) }];
      if (random() < 0.3) components.push({ type: 'Tax', amount: 23 * (1 + pick(20)) });
      return components;
    };
    if (roll < 0.55) list.push({ messageId: m, order, item, reason: 'PriceError', components: refund(), units: 0 });
    else if (roll < 0.8) list.push({ messageId: m, order, item, reason: 'CustomerCancel', components: [], units: 1 });
    else
      list.push({
        messageId: m,
        order,
        item,
        reason: 'CustomerReturn',
        adjId: `RET-${pick(3)}`,
        components: refund(),
        units: random() < 0.3 ? 1 : 0,
      });
  }
  return { orders: specs, messages: list };
}

const decimal = (minor: number): string => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;

/** Amazon's order report (_GET_FLAT_FILE_ORDERS_DATA_) holding the world's orders, for `feedproc orders import`. */
export function writeOrderReport(path: string, world: World): void {
  const lines = ['order-id\torder-item-id\tpurchase-date\tsku\tquantity-purchased\tcurrency\titem-price\titem-tax'];
  for (const order of world.orders) {
    for (const item of order.items)
      lines.push(
        `${order.id}\t${item.code}\t2026-11-20T10:00:00+00:00\t${item.sku}\t${item.ordered}\tPLN\t${decimal(item.charged.Principal)}\t${decimal(item.charged.Tax)}`,
      );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

function messageXml(world: World, m: AdjustmentSpec): string {
  const order = world.orders[m.order] as OrderSpec;
  const item = order.items[m.item] as ItemSpec;
  const components =
    m.components.length === 0
      ? ''
      : `<ItemPriceAdjustments>${m.components.map((c) => `<Component><Type>${c.type}</Type><Amount currency="PLN">${decimal(c.amount)}</Amount></Component>`).join('')}</ItemPriceAdjustments>`;
  return (
    `<Message><MessageID>${m.messageId}</MessageID><OrderAdjustment><AmazonOrderID>${order.id}</AmazonOrderID><AdjustedItem>` +
    `<AmazonOrderItemCode>${item.code}</AmazonOrderItemCode>${m.adjId ? `<MerchantAdjustmentItemID>${m.adjId}</MerchantAdjustmentItemID>` : ''}` +
    `<AdjustmentReason>${m.reason}</AdjustmentReason>${components}${m.units > 0 ? `<QuantityCancelled>${m.units}</QuantityCancelled>` : ''}` +
    `</AdjustedItem></OrderAdjustment></Message>\n`
  );
}

/** The world's messages as one XML adjustment feed. `comment` makes otherwise identical content differ. */
export function writeFeed(path: string, world: World, comment = ''): void {
  const head = `<?xml version="1.0" encoding="UTF-8"?>\n<AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>${MERCHANT}</MerchantIdentifier></Header>\n<MessageType>OrderAdjustment</MessageType>\n`;
  const chunks: string[] = [head];
  for (const m of world.messages) chunks.push(messageXml(world, m));
  chunks.push(`</AmazonEnvelope>\n${comment ? `<!-- ${comment} -->\n` : ''}`);
  writeFileSync(path, chunks.join(''));
}

export interface ItemState {
  cancelled: number;
  refunded: Record<string, number>;
}

export interface Expected {
  /** Order id → item code → state after every message, applied once each, in file order. */
  items: Map<string, Map<string, ItemState>>;
  /** MessageID → the ResultMessageCode of its refusal; messages not listed are applied. */
  refusals: Map<number, number>;
  /** Cancellation events the ledger writes (one per applied cancellation). */
  cancellations: number;
  /** SKU → units put back into stock. */
  restocked: Map<string, number>;
}

/**
 * The sequential oracle. `poisoned` items (order id / item code) raise an error in the ledger's rule for any
 * message that would change them (their ordered quantity is damaged, so the item cannot be written back):
 * such a message is refused with 97110, whole, once it has passed the checks that come before.
 */
export function oracle(world: World, poisoned: ReadonlySet<string> = new Set()): Expected {
  const items = new Map(
    world.orders.map((o) => [
      o.id,
      new Map(o.items.map((i) => [i.code, { cancelled: 0, refunded: {} as Record<string, number> }])),
    ]),
  );
  const adjIds = new Set<string>();
  const refusals = new Map<number, number>();
  const restocked = new Map<string, number>();
  let cancellations = 0;
  for (const m of world.messages) {
    const order = world.orders[m.order] as OrderSpec;
    const spec = order.items[m.item] as ItemSpec;
    const state = items.get(order.id)?.get(spec.code) as ItemState;
    const refusal = refusalOf(m, spec, state, adjIds, poisoned.has(`${order.id}/${spec.code}`));
    if (refusal !== null) {
      refusals.set(m.messageId, refusal);
      continue;
    }
    if (m.adjId) adjIds.add(`${spec.code}/${m.adjId}`);
    for (const c of m.components) state.refunded[c.type] = (state.refunded[c.type] ?? 0) + c.amount;
    if (m.units > 0) {
      state.cancelled += m.units;
      cancellations += 1;
      restocked.set(spec.sku, (restocked.get(spec.sku) ?? 0) + m.units);
    }
  }
  return { items, refusals, cancellations, restocked };
}

/** The rules of lib/2-adjustment.lua for the messages makeWorld writes, in the order the script checks them. */
function refusalOf(
  m: AdjustmentSpec,
  spec: ItemSpec,
  state: ItemState,
  adjIds: ReadonlySet<string>,
  poisoned: boolean,
): number | null {
  if (m.adjId && adjIds.has(`${spec.code}/${m.adjId}`)) return 97105;
  for (const c of m.components) {
    if (c.amount > spec.charged[c.type] - (state.refunded[c.type] ?? 0)) return 97102;
  }
  if (poisoned) return 97110;
  if (m.units > spec.ordered - state.cancelled) return 97104;
  return null;
}

/** What the ledger holds for every item of the world, read from the order hashes (HMGET, pipelined). */
export async function readLedger(
  redis: Redis,
  prefix: string,
  world: World,
): Promise<Map<string, Map<string, ItemState>>> {
  const pipeline = redis.pipeline();
  for (const order of world.orders) {
    pipeline.hmget(ledgerKeys(prefix, MERCHANT).order(order.id), ...order.items.map((i) => `i:${i.code}`));
  }
  const replies = (await pipeline.exec()) ?? [];
  return new Map(
    world.orders.map((order, o) => {
      const values = (replies[o]?.[1] ?? []) as Array<string | null>;
      // `i:<code>` is "ordered|shipped|cancelled|charged|refunded|sku" (src/apply/lua/lib/1-prelude.lua).
      const parts = (i: number): string[] => (values[i] ?? '').split('|');
      return [
        order.id,
        new Map(
          order.items.map((item, i) => [
            item.code,
            { cancelled: Number(parts(i)[2] ?? 0), refunded: parseAmounts(parts(i)[4] ?? '') },
          ]),
        ),
      ];
    }),
  );
}

function parseAmounts(text: string): Record<string, number> {
  const amounts: Record<string, number> = {};
  for (const pair of text.split(',').filter(Boolean)) {
    const [type = '', minor = '0'] = pair.split('=');
    if (Number(minor) !== 0) amounts[type] = Number(minor);
  }
  return amounts;
}

export interface Comparison {
  /** Items whose ledger state is behind the oracle (a message lost) or ahead of it (a message applied twice). */
  lost: string[];
  doubled: string[];
  /** Items that differ in any other way (both behind and ahead in different fields). */
  other: string[];
}

/** Compares the ledger with the oracle item by item, units and every refunded component. */
export function compareWithOracle(ledger: Map<string, Map<string, ItemState>>, expected: Expected): Comparison {
  const result: Comparison = { lost: [], doubled: [], other: [] };
  for (const [orderId, items] of expected.items) {
    for (const [code, want] of items) {
      const got = ledger.get(orderId)?.get(code) ?? { cancelled: 0, refunded: {} };
      const fields = new Set(['cancelled', ...Object.keys(want.refunded), ...Object.keys(got.refunded)]);
      const diffs = [...fields].map((f) =>
        f === 'cancelled' ? got.cancelled - want.cancelled : (got.refunded[f] ?? 0) - (want.refunded[f] ?? 0),
      );
      const name = `${orderId}/${code}`;
      if (diffs.every((d) => d <= 0) && diffs.some((d) => d < 0)) result.lost.push(name);
      else if (diffs.every((d) => d >= 0) && diffs.some((d) => d > 0)) result.doubled.push(name);
      else if (diffs.some((d) => d !== 0)) result.other.push(name);
    }
  }
  return result;
}

/** SKU → stock quantity in the ledger (the records the cancellations restocked). */
export async function readStock(redis: Redis, prefix: string): Promise<Map<string, number>> {
  const all = await redis.hgetall(ledgerKeys(prefix, MERCHANT).stock());
  return new Map(
    Object.entries(all).map(([sku, raw]) => [sku, Number((JSON.parse(raw) as { quantity?: number }).quantity ?? 0)]),
  );
}

export async function countEvents(redis: Redis, prefix: string): Promise<number> {
  return redis.xlen(ledgerKeys(prefix, MERCHANT).events());
}

export interface JsonReport {
  feedSubmissionId: string;
  statusCode: string;
  summary: {
    messagesProcessed: number;
    messagesSuccessful: number;
    messagesWithError: number;
    messagesWithWarning: number;
  };
  results: Array<{ messageId: number; resultCode: string; resultMessageCode: number; description: string }>;
}

/**
 * What the report must say: every message counted once, and exactly the oracle's refusals as Error results,
 * each MessageID once with its code. Returns the report's refusals in the same shape for one toEqual.
 */
export function reportRefusals(report: JsonReport): {
  summary: JsonReport['summary'];
  refusals: Map<number, number>;
  repeated: number[];
} {
  const refusals = new Map<number, number>();
  const repeated: number[] = [];
  for (const r of report.results) {
    if (refusals.has(r.messageId)) repeated.push(r.messageId);
    refusals.set(r.messageId, r.resultMessageCode);
  }
  return { summary: report.summary, refusals, repeated };
}

export function expectedSummary(world: World, expected: Expected): JsonReport['summary'] {
  const errors = expected.refusals.size;
  return {
    messagesProcessed: world.messages.length,
    messagesSuccessful: world.messages.length - errors,
    messagesWithError: errors,
    messagesWithWarning: 0,
  };
}

/** One line of figures per scenario, for README "Proof under faults" (test-artifacts/chaos/<name>.json). */
export function recordFigures(name: string, figures: Record<string, unknown>, dir: string): void {
  writeFileSync(`${dir}/${name}.json`, `${JSON.stringify(figures)}\n`);
  process.stdout.write(`chaos ${name}: ${JSON.stringify(figures)}\n`);
}
