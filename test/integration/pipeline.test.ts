/**
 * Feeds through the whole pipeline (submit → validation and spill → BullMQ jobs → Lua ledger → final report)
 * on a real redis-server, with the ledger inspected afterwards.
 */
import { FEED_CLOSED } from '../../src/apply/script-codes.js';
import type { ImportedOrder } from '../../src/parse/order-report.js';
import { applyPartition } from '../../src/queue/apply-worker.js';
import { loadFeed, loadReport } from '../../src/queue/feed-store.js';
import { feedKeys, partitionOf, PARTITIONS } from '../../src/queue/names.js';
import { spilledMessages, type SpilledMessage } from '../../src/queue/spill.js';
import { submitFeed } from '../../src/queue/submit-feed.js';
import { openTestPipeline, type TestPipeline } from '../helpers/pipeline.js';
import { xmlFeed } from '../helpers/feeds.js';
import { makeTempDir } from '../helpers/tmp.js';
import { until } from '../helpers/wait.js';

const MERCHANT = 'A1MERCHANT';
const ORDER = '405-1000000-0000001';
const ITEMS = ['60000000000001', '60000000000002', '60000000000003'];
const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

function threeItemOrder(id = ORDER): ImportedOrder {
  return {
    id,
    currency: 'PLN',
    purchaseDate: '2026-11-20T10:00:00+01:00',
    buyerEmail: 'b@marketplace.amazon.pl',
    buyerName: 'Jan Nowak',
    marketplace: 'Amazon.pl',
    buyerCancelRequested: false,
    itemOrder: ITEMS,
    items: {
      [ITEMS[0] as string]: { sku: 'SKU-1', ordered: 1, charged: { Principal: '4999', Tax: '1150' } },
      [ITEMS[1] as string]: { sku: 'SKU-2', ordered: 2, charged: { Principal: '3000', Tax: '690', Shipping: '999' } },
      [ITEMS[2] as string]: { sku: 'SKU-3', ordered: 1, charged: { Principal: '12900', Tax: '2967' } },
    },
  };
}

const shipTwoItemsXml = xmlFeed(
  'OrderFulfillment',
  `<Message><MessageID>1</MessageID><OrderFulfillment><AmazonOrderID>${ORDER}</AmazonOrderID><FulfillmentDate>2026-11-21T09:00:00+01:00</FulfillmentDate>` +
    `<FulfillmentData><CarrierCode>DPD</CarrierCode><ShipperTrackingNumber>DPD123</ShipperTrackingNumber></FulfillmentData>` +
    `<Item><AmazonOrderItemCode>${ITEMS[0]}</AmazonOrderItemCode><Quantity>1</Quantity></Item>` +
    `<Item><AmazonOrderItemCode>${ITEMS[1]}</AmazonOrderItemCode><Quantity>2</Quantity></Item></OrderFulfillment></Message>\n`,
).replace('A1MERCHANT', MERCHANT);

const cancelThirdXml = xmlFeed(
  'OrderAdjustment',
  `<Message><MessageID>1</MessageID><OrderAdjustment><AmazonOrderID>${ORDER}</AmazonOrderID><AdjustedItem>` +
    `<AmazonOrderItemCode>${ITEMS[2]}</AmazonOrderItemCode><AdjustmentReason>NoInventory</AdjustmentReason>` +
    `<ItemPriceAdjustments><Component><Type>Principal</Type><Amount currency="PLN">129.00</Amount></Component>` +
    `<Component><Type>Tax</Type><Amount currency="PLN">29.67</Amount></Component></ItemPriceAdjustments>` +
    `<QuantityCancelled>1</QuantityCancelled></AdjustedItem></OrderAdjustment></Message>\n`,
);

async function expectPartialRefundDone(p: TestPipeline): Promise<void> {
  const order = await p.ledger.order(ORDER);
  expect(order?.status).toBe('Shipped');
  expect(order?.itemOrder.map((code) => [order.items[code]?.shipped, order.items[code]?.cancelled])).toEqual([
    [1, 0],
    [2, 0],
    [0, 1],
  ]);
  expect(order?.items[ITEMS[2] as string]?.refunded).toEqual({ Principal: '12900', Tax: '2967' });
  expect(await p.ledger.stock('SKU-3')).toMatchObject({ quantity: 0 });
  expect(await p.ledger.stock('SKU-1')).toBeNull();
  expect(await p.deps.redis.xlen(p.ledger.keys.events())).toBe(1);
}

describe("the seller's partial-refund procedure", () => {
  let p: TestPipeline;
  beforeEach(async () => {
    p = openTestPipeline(MERCHANT);
    await p.ledger.importOrder(threeItemOrder());
    await p.ledger.apply(
      '0',
      '1',
      { kind: 'inventory', operation: 'Update', sku: 'SKU-3', fields: { quantity: 5 } },
      '2026-11-20T00:00:00Z',
    );
  });
  afterEach(() => p.close());

  it('ships two items, then cancels and refunds the third with NoInventory (XML)', async () => {
    const shipped = await p.process(tmp.file('ship.xml', shipTwoItemsXml));
    expect(shipped.report.summary).toEqual({
      messagesProcessed: 1,
      messagesSuccessful: 1,
      messagesWithError: 0,
      messagesWithWarning: 0,
    });
    expect((await p.ledger.order(ORDER))?.status).toBe('PartiallyShipped');
    const adjusted = await p.process(tmp.file('cancel.xml', cancelThirdXml));
    expect(adjusted.report).toMatchObject({ statusCode: 'Complete', feedSubmissionId: adjusted.feedId, results: [] });
    await expectPartialRefundDone(p);
  });

  it('does the same with flat files', async () => {
    const ship = `order-id\torder-item-id\tquantity\tship-date\tcarrier-code\ttracking-number\n${ORDER}\t${ITEMS[0]}\t1\t2026-11-21\tDPD\tDPD1\n${ORDER}\t${ITEMS[1]}\t2\t2026-11-21\tDPD\tDPD1\n`;
    const cancel = `order-id\torder-item-id\tadjustment-reason-code\tcurrency\titem-price-adj\titem-tax-adj\tquantity-cancelled\n${ORDER}\t${ITEMS[2]}\tNoInventory\tPLN\t129.00\t29.67\t1\n`;
    expect((await p.process(tmp.file('ship.txt', ship))).report.summary.messagesSuccessful).toBe(2);
    expect((await p.process(tmp.file('cancel.txt', cancel))).report.summary.messagesSuccessful).toBe(1);
    await expectPartialRefundDone(p);
  });

  it('reports an identical resubmission as a duplicate and applies nothing again', async () => {
    await p.process(tmp.file('cancel-1.xml', cancelThirdXml));
    const again = await p.process(tmp.file('cancel-2.xml', cancelThirdXml));
    expect(again.report.results).toEqual([
      expect.objectContaining({ messageId: '0', resultCode: 'Warning', resultMessageCode: 97010 }),
    ]);
    expect(again.report.summary.messagesProcessed).toBe(0);
    expect((await p.ledger.order(ORDER))?.items[ITEMS[2] as string]).toMatchObject({
      cancelled: 1,
      refunded: { Principal: '12900', Tax: '2967' },
    });
  });

  it('leaves the ledger untouched when the last message is truncated', async () => {
    const before = await p.ledger.order(ORDER);
    const truncated =
      cancelThirdXml.replace('</AmazonEnvelope>\n', '') +
      cancelThirdXml
        .split('\n')
        .find((l) => l.startsWith('<Message>'))
        ?.slice(0, 120);
    const result = await p.process(tmp.file('truncated.xml', truncated));
    expect(result.report.statusCode).toBe('Rejected');
    expect(await p.ledger.order(ORDER)).toEqual(before);
    expect(await p.ledger.stock('SKU-3')).toMatchObject({ quantity: 5 });
  });

  it("rejects a feed whose MerchantIdentifier is another merchant's (5005) and applies nothing", async () => {
    const result = await p.process(
      tmp.file(
        'other.xml',
        cancelThirdXml.replace(
          `<MerchantIdentifier>A1MERCHANT</MerchantIdentifier>`,
          '<MerchantIdentifier>SOMEONE</MerchantIdentifier>',
        ),
      ),
    );
    expect(result.report.results[0]).toMatchObject({ resultMessageCode: 5005 });
    expect((await p.ledger.order(ORDER))?.items[ITEMS[2] as string]?.cancelled).toBe(0);
  });
});

describe('a worker that resumes after its job was taken over', () => {
  const refundXml = xmlFeed(
    'OrderAdjustment',
    `<Message><MessageID>1</MessageID><OrderAdjustment><AmazonOrderID>${ORDER}</AmazonOrderID><AdjustedItem>` +
      `<AmazonOrderItemCode>${ITEMS[2]}</AmazonOrderItemCode><AdjustmentReason>PriceError</AdjustmentReason>` +
      `<ItemPriceAdjustments><Component><Type>Principal</Type><Amount currency="PLN">10.00</Amount></Component></ItemPriceAdjustments>` +
      `</AdjustedItem></OrderAdjustment></Message>\n`,
  );

  it('changes nothing once another worker has finished the feed (stalled lock, then the event loop runs again)', async () => {
    const p = openTestPipeline(MERCHANT, 0);
    try {
      await p.ledger.importOrder(threeItemOrder());
      const record = await submitFeed(p.deps, tmp.file('refund.xml', refundXml), { merchantId: MERCHANT });
      const feedId = record.feedSubmissionId;
      // What the stalled worker read before its event loop stopped: the spilled messages of every partition.
      const held = await heldMessages(p, feedId);
      expect(held).toHaveLength(1);
      p.startWorkers(1);
      await until(async () => (await loadFeed(p.deps.redis, p.deps.config.prefix, feedId))?.status === '_DONE_');
      const afterFirst = await p.ledger.order(ORDER);
      expect(afterFirst?.items[ITEMS[2] as string]?.refunded).toEqual({ Principal: '1000' });

      const outcomes = await p.ledger.applyInOrder(feedId, held, '2026-11-26T13:00:00Z');
      expect(outcomes).toEqual([FEED_CLOSED]);
      expect(await p.ledger.order(ORDER)).toEqual(afterFirst);
      const applied = p.ledger.keys.applied(feedId);
      expect(Object.keys(await p.deps.redis.hgetall(applied))).toEqual(['~closed']);
      expect(await p.deps.redis.pttl(applied)).toBeGreaterThan(6 * 24 * 3600 * 1000);
      expect(await p.deps.redis.exists(feedKeys(p.deps.config.prefix, feedId).results)).toBe(0);
    } finally {
      await p.close();
    }
  });
});

async function heldMessages(
  p: TestPipeline,
  feedId: string,
): Promise<Array<{ key: string; command: SpilledMessage['command'] }>> {
  const held: Array<{ key: string; command: SpilledMessage['command'] }> = [];
  for (let n = 0; n < PARTITIONS; n += 1) {
    for (const entry of spilledMessages(
      await p.deps.redis.lrange(feedKeys(p.deps.config.prefix, feedId).part(n), 0, -1),
    )) {
      held.push({ key: String(entry.seq), command: entry.command });
    }
  }
  return held;
}

describe('a flat file read again as windows-1252', () => {
  it('applies each row once after the restart, however many rows were spilled before it', async () => {
    const p = openTestPipeline(MERCHANT);
    try {
      const rows = Array.from({ length: 2999 }, (_, i) => `SKU-${i + 1}\t${i % 50}\t2\tDEFAULT`);
      const head = Buffer.from(`sku\tquantity\thandling-time\tfulfillment-channel\n${rows.join('\n')}\n`, 'utf8');
      const last = Buffer.from([...Buffer.from('KAWA-'), 0xc9, ...Buffer.from('\t7\t2\tDEFAULT\n')]); // É in windows-1252, invalid UTF-8
      const { report, feedId } = await p.process(tmp.file('stock-1252.txt', Buffer.concat([head, last])));
      expect(report).toMatchObject({
        statusCode: 'Complete',
        encoding: 'windows-1252',
        summary: { messagesProcessed: 3000, messagesSuccessful: 3000 },
      });
      const record = await loadFeed(p.deps.redis, p.deps.config.prefix, feedId);
      expect(record).toMatchObject({ messages: 3000, pending: 3000 });
      expect(await p.deps.redis.hlen(p.ledger.keys.stock())).toBe(3000);
      expect(await p.ledger.stock('KAWA-É')).toMatchObject({ quantity: 7 });
      expect(await p.ledger.stock('SKU-2999')).toMatchObject({ quantity: 2998 % 50 });
    } finally {
      await p.close();
    }
  });
});

describe('finalisation', () => {
  it('waits until every partition has recorded its refusals, even when all messages already have outcomes', async () => {
    const p = openTestPipeline(MERCHANT, 0);
    try {
      const other = '405-1000000-0000002';
      await p.ledger.importOrder(threeItemOrder());
      await p.ledger.importOrder(threeItemOrder(other));
      expect(partitionOf(ORDER)).not.toBe(partitionOf(other));
      // Message 1 (ORDER) is refused: more than charged; message 2 (other order) is fine.
      const feed = xmlFeed(
        'OrderAdjustment',
        [ORDER, other]
          .map(
            (id, i) =>
              `<Message><MessageID>${i + 1}</MessageID><OrderAdjustment><AmazonOrderID>${id}</AmazonOrderID><AdjustedItem><AmazonOrderItemCode>${ITEMS[2]}</AmazonOrderItemCode>` +
              `<AdjustmentReason>PriceError</AdjustmentReason><ItemPriceAdjustments><Component><Type>Principal</Type><Amount currency="PLN">${i === 0 ? '999.00' : '1.00'}</Amount></Component>` +
              `</ItemPriceAdjustments></AdjustedItem></OrderAdjustment></Message>\n`,
          )
          .join(''),
      );
      const { feedSubmissionId: feedId } = await submitFeed(p.deps, tmp.file('two-partitions.xml', feed), {
        merchantId: MERCHANT,
      });
      // The worker of ORDER's partition applied its message (outcome stored) but has not recorded the refusal yet.
      const held = (await heldMessages(p, feedId)).filter(
        (m) => m.command.kind !== 'inventory' && m.command.order.amazonOrderId === ORDER,
      );
      expect(await p.ledger.applyInOrder(feedId, held, '2026-11-26T13:00:00Z')).toEqual([
        expect.stringMatching(/^-4\|/),
      ]);
      // The other partition finishes: every message has an outcome, but the report must not be final yet.
      await applyPartition(p.deps, { feedId, partition: partitionOf(other) });
      expect((await loadFeed(p.deps.redis, p.deps.config.prefix, feedId))?.status).not.toBe('_DONE_');
      await applyPartition(p.deps, { feedId, partition: partitionOf(ORDER) });
      const report = await loadReport(p.deps.redis, p.deps.config.prefix, feedId);
      expect(report?.summary).toMatchObject({ messagesProcessed: 2, messagesSuccessful: 1, messagesWithError: 1 });
      expect(report?.results).toEqual([expect.objectContaining({ messageId: '1', resultMessageCode: 97102 })]);
    } finally {
      await p.close();
    }
  });
});
