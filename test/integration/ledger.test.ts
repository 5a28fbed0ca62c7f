/**
 * The ledger rules of docs/ledger-rules.md, one scenario each, against a real redis-server. Every test looks at
 * the ledger afterwards (units, refunded amounts per component, status, stock), not only at the outcome.
 */
import type { Redis } from 'ioredis';
import type { AdjustmentCommand, LedgerCommand } from '../../src/apply/commands.js';
import { createLedger, type Ledger } from '../../src/apply/ledger.js';
import { batchArguments } from '../../src/apply/message-batch.js';
import { withLedgerScripts } from '../../src/apply/scripts.js';
import type { ImportedOrder } from '../../src/parse/order-report.js';
import { connectTestRedis, removePrefix, uniquePrefix } from '../helpers/redis.js';

const ORDER = '402-0000001-0000001';
const [A, B, C] = ['11111111111111', '22222222222222', '33333333333333'];
const AT = '2026-11-26T10:00:00Z';

function importedOrder(id = ORDER): ImportedOrder {
  return {
    id,
    currency: 'PLN',
    purchaseDate: '2026-11-20T18:42:11+01:00',
    buyerEmail: 'buyer@marketplace.amazon.pl',
    buyerName: 'Anna Kowalska',
    marketplace: 'Amazon.pl',
    buyerCancelRequested: false,
    itemOrder: [A, B, C],
    items: {
      [A]: {
        sku: 'MUG',
        ordered: 3,
        charged: { Principal: '9000', Tax: '2070', Shipping: '1500', ShippingTax: '345' },
      },
      [B]: { sku: 'BOARD', ordered: 1, charged: { Principal: '12900', Tax: '2967' } },
      [C]: { sku: 'KNIFE', ordered: 2, charged: { Principal: '5000', Tax: '1150' } },
    },
  };
}

const refund = (
  code: string,
  components: Array<[string, number]>,
  extra: Partial<AdjustmentCommand['items'][number]> = {},
): AdjustmentCommand => ({
  kind: 'adjustment',
  order: { amazonOrderId: ORDER },
  currency: 'PLN',
  items: [
    {
      code,
      reason: 'CustomerReturn',
      components: components.map(([type, amount]) => ({ type, amount: String(amount) })),
      quantityCancelled: 0,
      ...extra,
    },
  ],
});
const cancelUnits = (code: string, units: number, reason: string): AdjustmentCommand =>
  refund(code, [], { quantityCancelled: units, reason });
const ship = (items: Array<{ code: string; quantity?: number }>): LedgerCommand => ({
  kind: 'fulfillment',
  order: { amazonOrderId: ORDER },
  fulfillmentDate: AT,
  carrier: 'DPD',
  items,
});
const stockUpdate = (sku: string, quantity: number): LedgerCommand => ({
  kind: 'inventory',
  operation: 'Update',
  sku,
  fields: { quantity },
});

let redis: Redis;
let prefix: string;
let ledger: Ledger;
let messageNumber = 0;
/** Applies a command as the next message of feed 1. */
const apply = (command: LedgerCommand): Promise<string> => ledger.apply('1', String((messageNumber += 1)), command, AT);

beforeAll(() => {
  redis = connectTestRedis();
});
afterAll(async () => {
  await redis.quit();
});
beforeEach(async () => {
  prefix = uniquePrefix();
  ledger = createLedger(withLedgerScripts(redis), prefix, 'M1');
  await ledger.importOrder(importedOrder());
  for (const [sku, quantity] of [
    ['MUG', 10],
    ['BOARD', 5],
    ['KNIFE', 4],
  ] as const)
    await apply(stockUpdate(sku, quantity));
});
afterEach(async () => {
  await removePrefix(redis, prefix);
});

const item = async (code: string) => (await ledger.order(ORDER))?.items[code];

describe('adjustments', () => {
  it('refunds components and keeps what remains refundable per component', async () => {
    expect(
      await apply(
        refund(A, [
          ['Principal', 3000],
          ['Tax', 690],
        ]),
      ),
    ).toBe('0');
    expect(await item(A)).toMatchObject({ refunded: { Principal: '3000', Tax: '690' }, cancelled: 0, shipped: 0 });
  });

  it('refuses to refund more of a component than was charged, and changes nothing', async () => {
    const before = await ledger.order(ORDER);
    expect(
      await apply(
        refund(A, [
          ['Principal', 100],
          ['Tax', 2071],
        ]),
      ),
    ).toBe('-4|Tax|2070|PLN');
    expect(await ledger.order(ORDER)).toEqual(before);
  });

  it('refuses a zero or negative net', async () => {
    expect(
      await apply(
        refund(A, [
          ['Principal', 1000],
          ['Goodwill', -1000],
        ]),
      ),
    ).toBe('-5|0|PLN');
    expect(
      await apply(
        refund(A, [
          ['Principal', 500],
          ['RestockingFee', -600],
        ]),
      ),
    ).toBe('-5|-100|PLN');
    expect((await item(A))?.refunded).toEqual({});
  });

  it("refuses a net above the item's remaining balance, counting other components toward it", async () => {
    expect(
      await apply(
        refund(A, [
          ['Principal', 9000],
          ['Goodwill', 4000],
        ]),
      ),
    ).toBe('-6|13000|12915|PLN');
    expect(
      await apply(
        refund(A, [
          ['Principal', 9000],
          ['Goodwill', 3915],
        ]),
      ),
    ).toBe('0');
    expect(await apply(refund(A, [['Goodwill', 1]]))).toBe('-6|1|0|PLN');
    expect((await item(A))?.refunded).toEqual({ Principal: '9000', Goodwill: '3915' });
  });

  it("refuses an adjustment in another currency than the order's", async () => {
    expect(await apply({ ...refund(A, [['Principal', 100]]), currency: 'EUR' })).toBe('-3|EUR|PLN');
    expect((await item(A))?.refunded).toEqual({});
  });

  it('refuses an unknown order or item (18028)', async () => {
    expect(await apply({ ...refund(A, [['Principal', 100]]), order: { amazonOrderId: '402-9999999-9999999' } })).toBe(
      '-1',
    );
    expect(await apply(refund('99999999999999', [['Principal', 100]]))).toBe('-2|99999999999999');
  });

  it("never lets a merchant touch another merchant's order", async () => {
    const other = createLedger(withLedgerScripts(redis), prefix, 'M2');
    expect(await other.apply('9', '1', refund(A, [['Principal', 100]]), AT)).toBe('-1');
    expect(await other.apply('9', '2', ship([{ code: A }]), AT)).toBe('-1');
    expect(await item(A)).toMatchObject({ refunded: {}, shipped: 0 });
    expect(await other.order(ORDER)).toBeNull();
  });

  it('cancels unshipped units only, and refuses more than are open', async () => {
    await apply(ship([{ code: A, quantity: 2 }]));
    expect(await apply(cancelUnits(A, 2, 'NoInventory'))).toBe('-7|2|1');
    expect(await apply(cancelUnits(A, 1, 'NoInventory'))).toBe('0');
    expect(await item(A)).toMatchObject({ ordered: 3, shipped: 2, cancelled: 1 });
    expect(await apply(cancelUnits(A, 1, 'NoInventory'))).toBe('-7|1|0');
  });

  it('refuses a repeated MerchantAdjustmentItemID for the same item', async () => {
    expect(await apply(refund(B, [['Principal', 100]], { adjId: 'adj-1' }))).toBe('0');
    expect(await apply(refund(B, [['Principal', 100]], { adjId: 'adj-1' }))).toBe('-8|adj-1');
    expect(await apply(refund(C, [['Principal', 100]], { adjId: 'adj-1' }))).toBe('0');
    expect((await item(B))?.refunded).toEqual({ Principal: '100' });
  });

  it('sets the SKU to 0 after a NoInventory cancellation and puts units back for any other reason', async () => {
    expect(await apply(cancelUnits(C, 1, 'NoInventory'))).toBe('0');
    expect(await apply(cancelUnits(A, 2, 'CustomerCancel'))).toBe('0');
    expect(await ledger.stock('KNIFE')).toMatchObject({ quantity: 0 });
    expect(await ledger.stock('MUG')).toMatchObject({ quantity: 12 });
  });

  it('applies a message at most once, returning the first outcome again', async () => {
    const command = refund(A, [['Principal', 1000]], { quantityCancelled: 1, reason: 'CustomerCancel' });
    expect(await ledger.apply('7', '1', command, AT)).toBe('0');
    expect(await ledger.apply('7', '1', command, AT)).toBe('0');
    expect(await item(A)).toMatchObject({ refunded: { Principal: '1000' }, cancelled: 1 });
    expect(await ledger.stock('MUG')).toMatchObject({ quantity: 11 });
    expect(await redis.xlen(ledger.keys.events())).toBe(1);
  });
});

describe('acknowledgements', () => {
  const failure = (items: Array<{ code: string; reason?: string; quantity?: number }>): LedgerCommand => ({
    kind: 'acknowledgement',
    order: { amazonOrderId: ORDER },
    statusCode: 'Failure',
    items,
  });

  it('cancels listed items, or a quantity of them, with one event per cancellation', async () => {
    expect(
      await apply(
        failure([
          { code: A, reason: 'BuyerCanceled', quantity: 1 },
          { code: B, reason: 'NoInventory' },
        ]),
      ),
    ).toBe('0');
    expect(await item(A)).toMatchObject({ cancelled: 1 });
    expect(await item(B)).toMatchObject({ cancelled: 1 });
    expect(await ledger.stock('MUG')).toMatchObject({ quantity: 11 });
    expect(await ledger.stock('BOARD')).toMatchObject({ quantity: 0 });
    const events = await redis.xrange(ledger.keys.events(), '-', '+');
    expect(events.map(([, fields]) => fields.slice(4, 10))).toEqual([
      ['itemCode', A, 'sku', 'MUG', 'units', '1'],
      ['itemCode', B, 'sku', 'BOARD', 'units', '1'],
    ]);
  });

  it('cancels the whole order, and the order becomes Canceled', async () => {
    expect(await apply(failure([]))).toBe('0');
    const order = await ledger.order(ORDER);
    expect(order?.status).toBe('Canceled');
    expect(order?.itemOrder.map((code) => order.items[code]?.cancelled)).toEqual([3, 1, 2]);
    expect(await apply(failure([]))).toBe('-11');
  });

  it('refuses to cancel once shipped: a listed item with shipped units, or a whole order with any', async () => {
    await apply(ship([{ code: A, quantity: 1 }]));
    expect(await apply(failure([{ code: A, reason: 'NoInventory' }]))).toBe(`-9|${A}`);
    expect(await apply(failure([]))).toBe('-9|order');
    expect(await apply(failure([{ code: B, reason: 'NoInventory' }]))).toBe('0');
    const order = await ledger.order(ORDER);
    expect(order?.status).toBe('PartiallyShipped');
    expect(order?.items[A]).toMatchObject({ shipped: 1, cancelled: 0 });
  });

  it('maps MerchantOrderID and MerchantOrderItemID for later feeds', async () => {
    const success: LedgerCommand = {
      kind: 'acknowledgement',
      order: { amazonOrderId: ORDER, merchantOrderId: 'SO-1' },
      statusCode: 'Success',
      items: [{ code: C, merchantItemId: 'line-3' }],
    };
    const byMerchantIds: AdjustmentCommand = {
      kind: 'adjustment',
      order: { merchantOrderId: 'SO-1' },
      items: [
        {
          merchantItemId: 'line-3',
          reason: 'CustomerReturn',
          components: [{ type: 'Principal', amount: '500' }],
          quantityCancelled: 0,
        },
      ],
    };
    expect(await apply(byMerchantIds)).toBe('-1');
    expect(await apply(success)).toBe('0');
    expect(await apply(byMerchantIds)).toBe('0');
    expect((await ledger.order(ORDER))?.merchantOrderId).toBe('SO-1');
    expect(await item(C)).toMatchObject({ merchantItemId: 'line-3', refunded: { Principal: '500' } });
  });
});

describe('fulfillment', () => {
  it('ships quantities, all open units when none is given, and never more than is open', async () => {
    expect(await apply(ship([{ code: A, quantity: 4 }]))).toBe('-10|4|3');
    expect(await apply(ship([{ code: A, quantity: 2 }]))).toBe('0');
    expect((await ledger.order(ORDER))?.status).toBe('PartiallyShipped');
    expect(await apply(ship([]))).toBe('0');
    const order = await ledger.order(ORDER);
    expect(order?.status).toBe('Shipped');
    expect(order?.itemOrder.map((code) => order.items[code]?.shipped)).toEqual([3, 1, 2]);
    expect(await apply(ship([]))).toBe('-10|0|0');
  });
});

describe('inventory', () => {
  it('replaces on Update, merges on PartialUpdate, removes on Delete', async () => {
    const inv = (
      operation: 'Update' | 'PartialUpdate' | 'Delete',
      fields: Record<string, number | string>,
    ): LedgerCommand => ({ kind: 'inventory', operation, sku: 'MUG', fields });
    await apply(inv('Update', { quantity: 7, fulfillmentLatency: 2 }));
    await apply(inv('PartialUpdate', { restockDate: '2026-12-01' }));
    expect(await ledger.stock('MUG')).toEqual({
      sku: 'MUG',
      quantity: 7,
      fulfillmentLatency: 2,
      restockDate: '2026-12-01',
    });
    await apply(inv('Update', { quantity: 3 }));
    expect(await ledger.stock('MUG')).toEqual({ sku: 'MUG', quantity: 3 });
    await apply(inv('Delete', {}));
    expect(await ledger.stock('MUG')).toBeNull();
  });
});

describe('orders import', () => {
  it('never undoes shipments, cancellations or refunds when the same report is imported again', async () => {
    await apply(ship([{ code: A, quantity: 1 }]));
    await apply(refund(B, [['Principal', 1000]], { quantityCancelled: 1, reason: 'NoInventory' }));
    expect(await ledger.importOrder(importedOrder())).toBe('unchanged');
    const order = await ledger.order(ORDER);
    expect(order?.items[A]).toMatchObject({ shipped: 1 });
    expect(order?.items[B]).toMatchObject({ cancelled: 1, refunded: { Principal: '1000' } });
    expect(order?.status).toBe('PartiallyShipped');
  });
});

describe('batches of messages in one script call', () => {
  it('drops everything a refused message changed before its refusal, for the messages after it in the batch', async () => {
    // Message 2 refunds item A (allowed) and then too much of item B: refused as a whole.
    const partlyGood: AdjustmentCommand = {
      ...refund(A, [['Principal', 1000]]),
      items: [...refund(A, [['Principal', 1000]]).items, ...refund(B, [['Principal', 99999]]).items],
    };
    const outcomes = await ledger.applyInOrder(
      '7',
      [
        { key: '1', command: refund(A, [['Principal', 500]]) },
        { key: '2', command: partlyGood },
        { key: '3', command: refund(A, [['Principal', 8500]]) },
      ],
      AT,
    );
    expect(outcomes).toEqual(['0', '-4|Principal|12900|PLN', '0']);
    expect((await item(A))?.refunded).toEqual({ Principal: '9000' });
    expect((await item(B))?.refunded).toEqual({});
  });

  it('leaves each message applied and marked, or untouched, when the script fails part-way; a retry applies nothing twice', async () => {
    const cancel = (key: string, code: string) => ({
      key,
      command: {
        kind: 'adjustment',
        order: { amazonOrderId: ORDER },
        currency: 'PLN',
        items: [{ code, reason: 'NoInventory', components: [], quantityCancelled: 1 }],
      } as AdjustmentCommand,
    });
    const batch = (...messages: Array<ReturnType<typeof cancel>>) =>
      batchArguments(ledger.keys, '8', AT, messages, (c) => ledger.keys.order(c.order.amazonOrderId ?? ''));
    const call = (args: Array<string | number>) => withLedgerScripts(redis).applyMessages(...args);
    // The first message as the ledger sends it, then one of a kind the script does not know (KEYS[4]: the order).
    await expect(call([...batch(cancel('1', A)), '2', 'no-such-kind', 4, '', 1, '{}'])).rejects.toThrow();
    expect(await item(A)).toMatchObject({ cancelled: 1 });
    expect(await redis.hgetall(ledger.keys.applied('8'))).toEqual({ '1': '0' });
    expect(await item(B)).toMatchObject({ cancelled: 0 });

    const retried = await call(batch(cancel('1', A), cancel('2', B)));
    expect(retried).toEqual(['0', '0']);
    expect(await item(A)).toMatchObject({ cancelled: 1 });
    expect(await item(B)).toMatchObject({ cancelled: 1 });
    expect(await redis.xlen(ledger.keys.events())).toBe(2);
  });

  it('splits long runs into several calls and keeps their order', async () => {
    const many = Array.from({ length: 450 }, (_, i) => ({
      key: String(i + 1),
      command: refund(C, [['Principal', 1]]),
    }));
    many.push({ key: '451', command: cancelUnits(C, 2, 'CustomerCancel') });
    const outcomes = await ledger.applyInOrder('9', many, AT);
    expect(outcomes.filter((o) => o === '0')).toHaveLength(451);
    expect(await item(C)).toMatchObject({ cancelled: 2, refunded: { Principal: '450' } });
    expect(await ledger.stock('KNIFE')).toMatchObject({ quantity: 6 });
    expect(await redis.xlen(ledger.keys.events())).toBe(1);
  });
});
