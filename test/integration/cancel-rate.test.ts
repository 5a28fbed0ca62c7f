/**
 * The cancel-rate metric (issue 5, item 4): 200 orders over 10 days with every kind of cancellation — whole
 * orders, items, quantities; acknowledgements, adjustments and the seller's own "Cancel order"; buyers' reasons
 * with and without a buyer cancellation request; refunds that cancel nothing — against a count done by hand.
 */
import type { Redis } from 'ioredis';
import { cancelOrder } from '../../src/apply/cancel-order.js';
import { cancelRate } from '../../src/apply/cancel-rate.js';
import type { LedgerCommand } from '../../src/apply/commands.js';
import { createLedger, type Ledger } from '../../src/apply/ledger.js';
import { withLedgerScripts } from '../../src/apply/scripts.js';
import { runCli } from '../helpers/cli.js';
import { connectTestRedis, removePrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';

const MERCHANT = 'A1RATE';
const DAY = 24 * 3600 * 1000;
const ORDERS = 200;
const orderId = (i: number) => `402-7000000-${String(i).padStart(7, '0')}`;
const item = (i: number, n: 1 | 2) => String(80000000000000 + i * 10 + n);

/** What happens to order i, and whether the seller cancelled it by the rule of docs/ledger-rules.md#the-cancel-rate. */
const SCENARIOS: Array<{
  name: string;
  seller: (buyerRequested: boolean) => boolean;
  act: (ledger: Ledger, i: number) => Promise<string>;
}> = [
  { name: 'nothing', seller: () => false, act: async () => '0' },
  {
    name: 'acknowledgement Failure, whole order, no reason',
    seller: () => true,
    act: (l, i) => apply(l, i, ack(i, [])),
  },
  {
    name: 'adjustment CustomerCancel, 1 unit of item 1',
    seller: (br) => !br,
    act: (l, i) => apply(l, i, adjust(i, 'CustomerCancel', 1)),
  },
  {
    name: 'Cancel order BuyerCanceled, whole order',
    seller: (br) => !br,
    act: (l, i) => cancelOrder(l, { orderId: orderId(i), reason: 'BuyerCanceled', items: [] }, 'now'),
  },
  {
    name: 'acknowledgement Failure, item 2, NoInventory',
    seller: () => true,
    act: (l, i) => apply(l, i, ack(i, [{ code: item(i, 2), reason: 'NoInventory' }])),
  },
  { name: 'adjustment refund only', seller: () => false, act: (l, i) => apply(l, i, adjust(i, 'PriceError', 0)) },
  {
    name: 'acknowledgement Failure, item 1, BuyerCanceled',
    seller: (br) => !br,
    act: (l, i) => apply(l, i, ack(i, [{ code: item(i, 1), reason: 'BuyerCanceled', quantity: 1 }])),
  },
];

const ack = (i: number, items: Array<{ code: string; reason: string; quantity?: number }>): LedgerCommand => ({
  kind: 'acknowledgement',
  order: { amazonOrderId: orderId(i) },
  statusCode: 'Failure',
  items,
});
const adjust = (i: number, reason: string, units: number): LedgerCommand => ({
  kind: 'adjustment',
  order: { amazonOrderId: orderId(i) },
  currency: 'EUR',
  items: [
    {
      code: item(i, 1),
      reason,
      components: units === 0 ? [{ type: 'Principal', amount: '100' }] : [],
      quantityCancelled: units,
    },
  ],
});
const apply = (ledger: Ledger, i: number, command: LedgerCommand): Promise<string> =>
  ledger.apply('rate-feed', String(i), command, 'now');

let redis: Redis;
const prefix = uniquePrefix();
const now = Date.now();
const daysAgo = (i: number) => i % 10; // 10 days of orders, 20 per day
const buyerRequested = (i: number) => i % 4 === 0;

beforeAll(async () => {
  redis = connectTestRedis();
  const ledger = createLedger(withLedgerScripts(redis), prefix, MERCHANT);
  for (let i = 1; i <= ORDERS; i += 1) {
    await ledger.importOrder({
      id: orderId(i),
      currency: 'EUR',
      purchaseDate: new Date(now - daysAgo(i) * DAY - 3600 * 1000).toISOString(),
      buyerEmail: null,
      buyerName: null,
      marketplace: 'Amazon.de',
      buyerCancelRequested: buyerRequested(i),
      itemOrder: [item(i, 1), item(i, 2)],
      items: {
        [item(i, 1)]: { sku: 'A', ordered: 2, charged: { Principal: '2000' } },
        [item(i, 2)]: { sku: 'B', ordered: 1, charged: { Principal: '500' } },
      },
    });
    expect(await (SCENARIOS[i % SCENARIOS.length] as (typeof SCENARIOS)[number]).act(ledger, i)).toBe('0');
  }
});
afterAll(async () => {
  await removePrefix(redis, prefix);
  await redis.quit();
});

function byHand(days: number): { orders: number; seller: number } {
  let orders = 0;
  let seller = 0;
  for (let i = 1; i <= ORDERS; i += 1) {
    if (daysAgo(i) >= days) continue; // purchased before the window
    orders += 1;
    if ((SCENARIOS[i % SCENARIOS.length] as (typeof SCENARIOS)[number]).seller(buyerRequested(i))) seller += 1;
  }
  return { orders, seller };
}

describe('cancel rate', () => {
  it.each([7, 3, 10])('equals the count by hand over %i days', async (days) => {
    const expected = byHand(days);
    const rate = await cancelRate(redis, prefix, MERCHANT, days, now);
    expect(rate).toEqual({
      merchantId: MERCHANT,
      windowDays: days,
      orders: expected.orders,
      sellerCancelledOrders: expected.seller,
      cancelRate: Math.round((expected.seller / expected.orders) * 1e6) / 1e6,
      target: 0.025,
      status: expected.seller / expected.orders < 0.025 ? 'Good' : 'AtRisk',
    });
    expect(expected.seller).toBeGreaterThan(0);
  });

  it('is what `feedproc metrics --format json` prints', async () => {
    const result = await runCli(['metrics', '--days', '7', '--format', 'json'], {
      env: { ...process.env, FEEDPROC_REDIS_URL: testRedisUrl(), FEEDPROC_PREFIX: prefix, FEEDPROC_MERCHANT: MERCHANT },
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(await cancelRate(redis, prefix, MERCHANT, 7));
  });

  it('is Good below 2.5 % and AtRisk from it on', async () => {
    const other = uniquePrefix();
    const ledger = createLedger(withLedgerScripts(redis), other, 'A2FEW');
    for (let i = 1; i <= 40; i += 1) {
      await ledger.importOrder({
        id: orderId(i),
        currency: 'EUR',
        purchaseDate: new Date(now - DAY).toISOString(),
        buyerEmail: null,
        buyerName: null,
        marketplace: null,
        buyerCancelRequested: false,
        itemOrder: [item(i, 1)],
        items: { [item(i, 1)]: { sku: 'A', ordered: 1, charged: { Principal: '100' } } },
      });
    }
    expect(await cancelRate(redis, other, 'A2FEW', 7, now)).toMatchObject({
      orders: 40,
      sellerCancelledOrders: 0,
      status: 'Good',
    });
    await cancelOrder(ledger, { orderId: orderId(1), reason: 'NoInventory', items: [] }, 'now');
    expect(await cancelRate(redis, other, 'A2FEW', 7, now)).toMatchObject({
      sellerCancelledOrders: 1,
      cancelRate: 0.025,
      status: 'AtRisk',
    });
    await removePrefix(redis, other);
  });
});
