/**
 * Determinism: a 10,000-message adjustment feed that touches each order item many times, interleaved, gives a
 * byte-identical report with 1 worker and with 4, and the ledger ends where a plain sequential computation of
 * the rules (done here, in the test) says it must.
 */
import type { ImportedOrder } from '../../src/parse/order-report.js';
import { renderJsonReport } from '../../src/report/index.js';
import { openTestPipeline } from '../helpers/pipeline.js';
import { makeTempDir } from '../helpers/tmp.js';

const MERCHANT = 'A1MERCHANT';
const ORDERS = 500;
const MESSAGES = 10_000;
const ORDERED = 4;
const PRINCIPAL = 10_000;
const TAX = 2_300;
const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

const orderId = (o: number): string => `405-2000000-${String(o).padStart(7, '0')}`;
const itemCode = (o: number, i: number): string => `7${String(o).padStart(12, '0')}${i}`;

interface Message {
  id: number;
  order: number;
  item: number;
  principal: number;
  tax: number;
  cancel: number;
}

/** Message m hits order (m·7919 mod 500): each item is touched ~10 times, spread over the whole file. */
function messages(): Message[] {
  return Array.from({ length: MESSAGES }, (_, k) => {
    const id = k + 1;
    return {
      id,
      order: (id * 7919) % ORDERS,
      item: id % 2,
      principal: 1500 + (id % 3) * 500,
      tax: id % 5 === 0 ? 2400 : 100,
      cancel: id % 2,
    };
  });
}

function feed(list: readonly Message[]): string {
  const body = list
    .map(
      (m) =>
        `<Message><MessageID>${m.id}</MessageID><OrderAdjustment><AmazonOrderID>${orderId(m.order)}</AmazonOrderID><AdjustedItem>` +
        `<AmazonOrderItemCode>${itemCode(m.order, m.item)}</AmazonOrderItemCode><AdjustmentReason>CustomerCancel</AdjustmentReason>` +
        `<ItemPriceAdjustments><Component><Type>Principal</Type><Amount>${(m.principal / 100).toFixed(2)}</Amount></Component>` +
        `<Component><Type>Tax</Type><Amount>${(m.tax / 100).toFixed(2)}</Amount></Component></ItemPriceAdjustments>` +
        `${m.cancel ? '<QuantityCancelled>1</QuantityCancelled>' : ''}</AdjustedItem></OrderAdjustment></Message>\n`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>${MERCHANT}</MerchantIdentifier></Header>\n<MessageType>OrderAdjustment</MessageType>\n${body}</AmazonEnvelope>\n`;
}

/** The ledger rules (docs/ledger-rules.md) for these messages, applied one after another in file order. */
function sequentialOracle(list: readonly Message[]) {
  const items = new Map<string, { principal: number; tax: number; cancelled: number }>();
  const refused: number[] = [];
  for (const m of list) {
    const key = `${m.order}/${m.item}`;
    const item = items.get(key) ?? { principal: 0, tax: 0, cancelled: 0 };
    const ok =
      item.principal + m.principal <= PRINCIPAL &&
      item.tax + m.tax <= TAX &&
      m.principal + m.tax <= PRINCIPAL + TAX - item.principal - item.tax &&
      item.cancelled + m.cancel <= ORDERED;
    if (!ok) refused.push(m.id);
    else
      items.set(key, {
        principal: item.principal + m.principal,
        tax: item.tax + m.tax,
        cancelled: item.cancelled + m.cancel,
      });
  }
  const totals = [...items.values()].reduce(
    (t, i) => ({ principal: t.principal + i.principal, tax: t.tax + i.tax, cancelled: t.cancelled + i.cancelled }),
    { principal: 0, tax: 0, cancelled: 0 },
  );
  return { refused, totals };
}

function order(o: number): ImportedOrder {
  const codes = [itemCode(o, 0), itemCode(o, 1)];
  const item = { sku: `SKU-${o}`, ordered: ORDERED, charged: { Principal: String(PRINCIPAL), Tax: String(TAX) } };
  return {
    id: orderId(o),
    currency: 'PLN',
    purchaseDate: null,
    buyerEmail: null,
    buyerName: null,
    marketplace: null,
    buyerCancelRequested: false,
    itemOrder: codes,
    items: { [codes[0] as string]: item, [codes[1] as string]: item },
  };
}

async function run(workers: number, path: string) {
  const p = openTestPipeline(MERCHANT, workers);
  try {
    for (let o = 0; o < ORDERS; o += 1) await p.ledger.importOrder(order(o));
    const { report } = await p.process(path);
    const totals = { principal: 0, tax: 0, cancelled: 0 };
    for (let o = 0; o < ORDERS; o += 1) {
      const ledgerOrder = await p.ledger.order(orderId(o));
      for (const code of ledgerOrder?.itemOrder ?? []) {
        const item = ledgerOrder?.items[code];
        totals.principal += Number(item?.refunded['Principal'] ?? 0);
        totals.tax += Number(item?.refunded['Tax'] ?? 0);
        totals.cancelled += item?.cancelled ?? 0;
      }
    }
    return {
      json: [...renderJsonReport(report)].join(''),
      refused: report.results.map((r) => Number(r.messageId)),
      totals,
    };
  } finally {
    await p.close();
  }
}

describe('determinism', () => {
  it('gives the same report with 1 and 4 workers, and the ledger a sequential computation predicts', async () => {
    const list = messages();
    const path = tmp.file('10k.xml', feed(list));
    const oracle = sequentialOracle(list);
    const one = await run(1, path);
    const four = await run(4, path);
    expect(four.json).toBe(one.json);
    expect(one.refused).toEqual(oracle.refused);
    expect(one.totals).toEqual(oracle.totals);
    expect(four.totals).toEqual(oracle.totals);
    expect(oracle.refused.length).toBeGreaterThan(1000); // the caps are really reached, so order matters
    expect(oracle.refused.length).toBeLessThan(MESSAGES - 1000);
  });
});
