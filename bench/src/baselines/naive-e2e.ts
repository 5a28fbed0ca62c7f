/**
 * Naive baseline, end to end in one process with no queue: stream the feed, build each message, check it with an
 * ajv schema, and apply it with one Lua call per message, pipelined 500 at a time (awaiting each pipeline before
 * the next). Redis is seeded first by seed.js (untimed, its own process), or here when it was not.
 * Usage: node naive-e2e.js <saxes|flat>
 */
import { createReadStream } from 'node:fs';
import { Ajv } from 'ajv';
import { Redis } from 'ioredis';
import { SaxesParser } from 'saxes';
import { REDIS_PORT, TXT_FILE, XML_FILE, messageBuilder, now, perSecond, printResult } from './common.js';
import { eachRow } from './flat-split.js';
import { REASONS } from './gen-data.js';
import { appliedKey, itemKey, seedItems, withCancelScript } from './naive-ledger.js';

const BATCH = 500;
const mode = process.argv[2] ?? 'saxes';
if (mode !== 'saxes' && mode !== 'flat') throw new Error('usage: naive-e2e.js <saxes|flat>');

const AMOUNT = { type: 'string', pattern: '^-?\\d{1,9}(\\.\\d{1,2})?$' };
const ORDER_ID = { type: 'string', pattern: '^\\d{3}-\\d{7}-\\d{7}$' };
const ITEM_CODE = { type: 'string', pattern: '^\\d{14}$' };
const UNITS = { type: 'string', pattern: '^[1-9]\\d{0,5}$' };
const COMPONENT = {
  type: 'object',
  required: ['Type', 'Amount'],
  properties: {
    Type: { enum: ['Principal', 'Tax', 'Shipping', 'ShippingTax'] },
    Amount: { type: 'object', required: ['#text', '@_currency'], properties: { '#text': AMOUNT } },
  },
};
const MESSAGE_SCHEMA = {
  type: 'object',
  required: ['MessageID', 'OrderAdjustment'],
  properties: {
    MessageID: { type: 'string', pattern: '^[1-9]\\d{0,17}$' },
    OrderAdjustment: {
      type: 'object',
      required: ['AmazonOrderID', 'AdjustedItem'],
      properties: {
        AmazonOrderID: ORDER_ID,
        AdjustedItem: {
          type: 'object',
          required: ['AmazonOrderItemCode', 'AdjustmentReason', 'ItemPriceAdjustments', 'QuantityCancelled'],
          properties: {
            AmazonOrderItemCode: ITEM_CODE,
            AdjustmentReason: { enum: REASONS },
            ItemPriceAdjustments: {
              type: 'object',
              required: ['Component'],
              properties: { Component: { type: 'array', minItems: 1, items: COMPONENT } },
            },
            QuantityCancelled: UNITS,
          },
        },
      },
    },
  },
};
const ROW_SCHEMA = {
  type: 'object',
  required: ['order-id', 'order-item-id', 'adjustment-reason-code', 'currency', 'item-price-adj', 'quantity-cancelled'],
  properties: {
    'order-id': ORDER_ID,
    'order-item-id': ITEM_CODE,
    'adjustment-reason-code': { enum: REASONS },
    'item-price-adj': AMOUNT,
    'item-tax-adj': AMOUNT,
    'quantity-cancelled': UNITS,
  },
};

type Cancel = [orderId: string, itemCode: string, units: string, id: string];

const redis = withCancelScript(new Redis({ host: '127.0.0.1', port: REDIS_PORT }));
const seeded = (await redis.get('seeded:fresh')) === '1' ? 'pre-seeded' : 'seeded-here';
if (seeded === 'seeded-here') {
  await redis.flushdb();
  await seedItems(redis, 100_000);
}
await redis.del('seeded:fresh');

const outcomes: Record<string, number> = { ok: 0, invalid: 0 };
let lines = 0;
const batch: Cancel[] = [];

async function flush(): Promise<void> {
  while (batch.length > 0) {
    const pipeline = redis.pipeline() as ReturnType<typeof redis.pipeline> & {
      cancelUnits(item: string, applied: string, units: string, id: string): unknown;
    };
    for (const [orderId, itemCode, units, id] of batch.splice(0, BATCH))
      pipeline.cancelUnits(itemKey(orderId, itemCode), appliedKey(orderId, itemCode), units, id);
    for (const [error, value] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      const key = (value as number) >= 0 ? 'ok' : String(value);
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    }
  }
}

const ajv = new Ajv();
const started = now();
if (mode === 'flat') {
  const valid = ajv.compile(ROW_SCHEMA);
  await eachRow(
    TXT_FILE,
    (row) => {
      lines += 1;
      if (!valid(row)) outcomes['invalid'] = (outcomes['invalid'] ?? 0) + 1;
      else batch.push([row['order-id'], row['order-item-id'], row['quantity-cancelled'], `feed1:${lines}`] as Cancel);
    },
    () => (batch.length >= BATCH ? flush() : Promise.resolve()),
  );
} else {
  const valid = ajv.compile(MESSAGE_SCHEMA);
  const builder = messageBuilder((message) => {
    lines += 1;
    if (!valid(message)) return void (outcomes['invalid'] = (outcomes['invalid'] ?? 0) + 1);
    const adjustment = message['OrderAdjustment'] as Record<string, Record<string, string>>;
    const item = adjustment['AdjustedItem'] as Record<string, string>;
    const id = `feed1:${message['MessageID'] as string}`;
    batch.push([
      adjustment['AmazonOrderID'] as unknown as string,
      item['AmazonOrderItemCode'] as string,
      item['QuantityCancelled'] as string,
      id,
    ]);
  });
  const parser = new SaxesParser();
  parser.on('opentag', (tag) => builder.open(tag.name, tag.attributes as Record<string, string>));
  parser.on('text', (text) => builder.text(text));
  parser.on('closetag', (tag) => builder.close(tag.name));
  parser.on('error', (error) => {
    throw error;
  });
  for await (const chunk of createReadStream(XML_FILE, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    parser.write(chunk as string);
    if (batch.length >= BATCH) await flush();
  }
  parser.close();
}
await flush();
const ms = now() - started;
printResult({
  bench: 'naive-e2e',
  mode,
  lines,
  ms: Math.round(ms),
  linesPerSec: perSecond(lines, ms),
  outcomes,
  seeded,
});
await redis.flushdb();
redis.disconnect();
