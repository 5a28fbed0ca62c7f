/**
 * The bench's data: N OrderAdjustment messages, as one XML envelope (feed-100k.xml, one message per line) and
 * as the same rows of a tab-delimited flat file (feed-100k.txt), written to PERF_DIR. Message i cancels 1 unit
 * of order `123-1234567-<i>` item `1000000000000i` (14 digits); most refund 10.00 + 0.80 tax for NoInventory,
 * every 7th another price (8% tax) and every 10th another reason, so values are not all alike.
 * Usage: node gen-data.js [N=100000]. The file names stay feed-100k.* whatever N is.
 */
import { closeSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DATA_DIR, TXT_FILE, XML_FILE } from './common.js';

export const REASONS = [
  'NoInventory',
  'CustomerReturn',
  'GeneralAdjustment',
  'CouldNotShip',
  'DifferentItem',
  'Abandoned',
  'CustomerCancel',
  'PriceError',
  'ProductOutofStock',
  'CustomerAddressIncorrect',
  'Exchange',
  'Other',
  'CarrierCreditDecision',
  'RiskAssessmentInformationNotValid',
  'CarrierCoverageFailure',
  'TransactionRecord',
  'Undeliverable',
  'RefusedDelivery',
];

export interface Row {
  orderId: string;
  itemCode: string;
  reason: string;
  currency: string;
  price: string;
  tax: string;
  quantity: string;
}

export function row(i: number): Row {
  const varied = i % 7 === 0;
  const price = varied ? (5 + (i % 90)).toFixed(2) : '10.00';
  return {
    orderId: `123-1234567-${String(i).padStart(7, '0')}`,
    itemCode: String(10_000_000_000_000 + i).padStart(14, '0'),
    reason: i % 10 === 0 ? (REASONS[(i / 10) % REASONS.length] as string) : 'NoInventory',
    currency: 'USD',
    price,
    tax: varied ? (Number(price) * 0.08).toFixed(2) : '0.80',
    quantity: '1',
  };
}

const XML_HEAD =
  '<?xml version="1.0" encoding="UTF-8"?>\n<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd"><Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>M1</MerchantIdentifier></Header><MessageType>OrderAdjustment</MessageType>\n';
const FLAT_HEAD =
  'order-id\torder-item-id\tadjustment-reason-code\tcurrency\titem-price-adj\titem-tax-adj\tshipping-price-adj\tshipping-tax-adj\tquantity-cancelled\n';

function xmlMessage(i: number, r: Row): string {
  const amount = (type: string, value: string) =>
    `<Component><Type>${type}</Type><Amount currency="${r.currency}">${value}</Amount></Component>`;
  return `<Message><MessageID>${i}</MessageID><OrderAdjustment><AmazonOrderID>${r.orderId}</AmazonOrderID><AdjustedItem><AmazonOrderItemCode>${r.itemCode}</AmazonOrderItemCode><AdjustmentReason>${r.reason}</AdjustmentReason><ItemPriceAdjustments>${amount('Principal', r.price)}${amount('Tax', r.tax)}</ItemPriceAdjustments><QuantityCancelled>${r.quantity}</QuantityCancelled></AdjustedItem></OrderAdjustment></Message>\n`;
}

const flatRow = (r: Row): string =>
  `${[r.orderId, r.itemCode, r.reason, r.currency, r.price, r.tax, '0.00', '0.00', r.quantity].join('\t')}\n`;

function generate(count: number): void {
  mkdirSync(DATA_DIR, { recursive: true });
  const xml = openSync(XML_FILE, 'w');
  const txt = openSync(TXT_FILE, 'w');
  writeSync(xml, XML_HEAD);
  writeSync(txt, FLAT_HEAD);
  for (let from = 1; from <= count; from += 5000) {
    let xmlPart = '';
    let txtPart = '';
    for (let i = from; i < from + 5000 && i <= count; i += 1) {
      const r = row(i);
      xmlPart += xmlMessage(i, r);
      txtPart += flatRow(r);
    }
    writeSync(xml, xmlPart);
    writeSync(txt, txtPart);
  }
  writeSync(xml, '</AmazonEnvelope>\n');
  closeSync(xml);
  closeSync(txt);
  for (const file of [XML_FILE, TXT_FILE]) console.log(file, statSync(file).size, 'bytes');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) generate(Number(process.argv[2] ?? 100_000));
