/**
 * apply-messages-3+n.lua takes a shortcut for the commonest adjustment (one item named by its AmazonOrderItemCode,
 * no MerchantOrderID, no MerchantAdjustmentItemID). This test runs the same 600 pseudo-random adjustments and
 * shipments through the shortcut on one ledger and through the general rule on another — there every adjustment
 * also names the order's MerchantOrderID, which the shortcut does not take — and expects the same outcomes and
 * the same orders, stock and cancellation events, refusals included.
 */
import type { Redis } from 'ioredis';
import type { AdjustmentCommand, LedgerCommand } from '../../src/apply/commands.js';
import { createLedger, type Ledger } from '../../src/apply/ledger.js';
import { batchArguments } from '../../src/apply/message-batch.js';
import { withLedgerScripts } from '../../src/apply/scripts.js';
import type { ImportedOrder } from '../../src/parse/order-report.js';
import { connectTestRedis, removePrefix, uniquePrefix } from '../helpers/redis.js';

const AT = '2026-12-03T09:00:00Z';
const ORDERS = 12;
const STEPS = 600;
const REASONS = ['NoInventory', 'CustomerCancel', 'BuyerCanceled', 'CustomerReturn', 'GeneralAdjustment'];
const COMPONENTS = ['Principal', 'Tax', 'Shipping', 'Goodwill'];

const orderId = (n: number): string => `403-0000000-${String(n).padStart(7, '0')}`;
const codeOf = (n: number, item: number): string => `${n}${item}`.padStart(14, '0');

function importedOrder(n: number): ImportedOrder {
  return {
    id: orderId(n),
    currency: 'EUR',
    purchaseDate: '2026-12-01T10:00:00Z',
    buyerEmail: `b${n}@example.com`,
    buyerName: `Buyer ${n}`,
    marketplace: 'Amazon.de',
    buyerCancelRequested: n % 3 === 0,
    itemOrder: [codeOf(n, 1), codeOf(n, 2)],
    items: {
      [codeOf(n, 1)]: { sku: `SKU-${n % 4}`, ordered: 3, charged: { Principal: '3000', Tax: '570', Shipping: '490' } },
      [codeOf(n, 2)]: { sku: 'SKU|PIPE', ordered: 1, charged: { Principal: '1999' } },
    },
  };
}

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
}

/** The steps: mostly adjustments of every kind the shortcut may meet, good and bad, and a few shipments. */
function steps(): LedgerCommand[] {
  const pick = random(20261203);
  // First refunds of untouched items, one with a component type that holds a comma (DirectPayment types are free
  // text), which the components' text cannot carry as it came.
  const firstRefund = (n: number, item: number, types: string[]): LedgerCommand => ({
    kind: 'adjustment',
    order: { amazonOrderId: orderId(n) },
    items: [
      {
        code: codeOf(n, item),
        reason: 'CustomerReturn',
        components: types.map((type) => ({ type, amount: '100' })),
        quantityCancelled: 0,
      },
    ],
  });
  const list: LedgerCommand[] = [
    firstRefund(1, 2, ['DirectPayment:Gift card, voucher']),
    firstRefund(2, 2, ['Principal', 'Tax']),
  ];
  for (let i = 0; i < STEPS; i += 1) {
    const n = 1 + pick(ORDERS + 1); // ORDERS + 1 is an order nobody imported
    if (pick(10) === 0) {
      list.push({
        kind: 'fulfillment',
        order: { amazonOrderId: orderId(n) },
        fulfillmentDate: AT,
        items: [{ code: codeOf(n, 1 + pick(2)), quantity: 1 }],
      });
      continue;
    }
    const components = Array.from({ length: pick(3) }, () => ({
      type: COMPONENTS[pick(COMPONENTS.length)] as string,
      amount: String(pick(900) - (pick(8) === 0 ? 950 : 0)),
    }));
    const code = pick(20) === 0 ? '99999999999999' : codeOf(n, 1 + pick(2));
    const command: AdjustmentCommand = {
      kind: 'adjustment',
      order: { amazonOrderId: orderId(n) },
      // Orders 6 and 12 asked to cancel and get only buyers' reasons: they must never count as the seller's.
      items: [
        {
          code,
          reason: REASONS[n % 6 === 0 ? 1 + pick(2) : pick(REASONS.length)] as string,
          components,
          quantityCancelled: pick(3),
        },
      ],
    };
    if (pick(15) !== 0) command.currency = pick(25) === 0 ? 'GBP' : 'EUR';
    list.push(command);
  }
  return list;
}

/** The general rule's copy of a step: the adjustment also names the order's MerchantOrderID. */
function throughGeneralRule(command: LedgerCommand): LedgerCommand {
  if (command.kind !== 'adjustment') return command;
  return { ...command, order: { ...command.order, merchantOrderId: `MO-${command.order.amazonOrderId ?? ''}` } };
}

let redis: Redis;
const prefixes: string[] = [];

beforeAll(() => {
  redis = connectTestRedis();
});
afterAll(async () => {
  for (const prefix of prefixes) await removePrefix(redis, prefix);
  await redis.quit();
});

async function freshLedger(): Promise<Ledger> {
  const prefix = uniquePrefix();
  prefixes.push(prefix);
  const ledger = createLedger(withLedgerScripts(redis), prefix, 'M1');
  for (let n = 1; n <= ORDERS; n += 1) {
    await ledger.importOrder(importedOrder(n));
    // Maps the MerchantOrderID on both ledgers, so they differ only in what the adjustments name.
    const ack: LedgerCommand = {
      kind: 'acknowledgement',
      order: { amazonOrderId: orderId(n), merchantOrderId: `MO-${orderId(n)}` },
      statusCode: 'Success',
      items: [],
    };
    expect(await ledger.apply('0', `ack${n}`, ack, AT)).toBe('0');
  }
  for (const sku of ['SKU-0', 'SKU-1', 'SKU-2', 'SKU-3', 'SKU|PIPE'])
    expect(
      await ledger.apply(
        '0',
        `stock-${sku}`,
        { kind: 'inventory', operation: 'Update', sku, fields: { quantity: 7 } },
        AT,
      ),
    ).toBe('0');
  return ledger;
}

/** Everything the ledger holds for the generated orders: order hashes, stock and events (without stream ids). */
async function snapshot(ledger: Ledger): Promise<unknown> {
  const orders = await Promise.all(
    Array.from({ length: ORDERS }, (_, i) => redis.hgetall(ledger.keys.order(orderId(i + 1)))),
  );
  const stock = await redis.hgetall(ledger.keys.stock());
  const events = (await redis.xrange(ledger.keys.events(), '-', '+')).map(([, fields]) => fields);
  return { orders, stock, events };
}

it('the shortcut for single-item adjustments gives the outcomes and the ledger of the general rule', async () => {
  const [shortcut, general] = [await freshLedger(), await freshLedger()];
  const list = steps();
  const messages = (through: (c: LedgerCommand) => LedgerCommand) =>
    list.map((command, i) => ({ key: String(i + 1), command: through(command) }));
  const run = async (ledger: Ledger, through: (c: LedgerCommand) => LedgerCommand, from: number, to?: number) =>
    ledger.applyInOrder('1', messages(through).slice(from, to), AT);
  // Every adjustment of the one ledger takes the shortcut (kind adjustment1), none of the other's does.
  const shortcuts = (through: (c: LedgerCommand) => LedgerCommand) =>
    batchArguments(shortcut.keys, '1', AT, messages(through), (c) =>
      shortcut.keys.order(c.order.amazonOrderId ?? ''),
    ).filter((a) => a === 'adjustment1').length;
  expect(shortcuts((c) => c)).toBe(list.filter((c) => c.kind === 'adjustment').length);
  expect(shortcuts(throughGeneralRule)).toBe(0);
  // The first refunds alone first: a later refund of the same item re-formats its text and would hide a difference.
  expect(await run(shortcut, (c) => c, 0, 2)).toEqual(await run(general, throughGeneralRule, 0, 2));
  expect(await snapshot(shortcut)).toEqual(await snapshot(general));
  const shortcutOutcomes = await run(shortcut, (c) => c, 2);
  const generalOutcomes = await run(general, throughGeneralRule, 2);

  expect(shortcutOutcomes).toEqual(generalOutcomes);
  // The run covers what the shortcut must get right: applications and every refusal it can give.
  const codes = new Set(shortcutOutcomes.map((o) => o.split('|')[0]));
  for (const code of ['0', '-1', '-2', '-3', '-4', '-5', '-6', '-7']) expect(codes).toContain(code);
  expect(await snapshot(shortcut)).toEqual(await snapshot(general));
  // 12 orders of 4 units each: most of them end up cancelled, through both NoInventory and other reasons.
  expect(((await snapshot(shortcut)) as { events: unknown[] }).events.length).toBeGreaterThan(20);
});
