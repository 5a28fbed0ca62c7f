/**
 * What the pipeline children share: the configuration they run feedproc with (the bench's own Redis, the
 * generated feed's merchant `M1`) and the orders that the generated feeds adjust. gen-data.ts makes message i
 * cancel 1 unit of order `row(i).orderId`, item `row(i).itemCode`, refunding its `price` and `tax`; every order
 * here has that one item, 2 units, charged twice those amounts, like the baseline's seed (ordered = 2).
 */
import { loadConfig, type Config } from '../../dist/core/config.js';
import type { ImportedOrder } from '../../dist/parse/order-report.js';
import type { SchemaRegistry } from '../../dist/validate/index.js';
import { row } from './baselines/gen-data.js';

export const BENCH_MERCHANT = 'M1';
export const BENCH_PREFIX = 'bench';

interface GeneratedRow {
  orderId: string;
  itemCode: string;
  currency: string;
  price: string;
  tax: string;
}
type RowOf = (i: number) => GeneratedRow;

/** `env`: settings a probe measures under, as `FEEDPROC_*` variables (the watcher's stability window, say). */
export function benchConfig(
  schemas: SchemaRegistry,
  redisUrl: string,
  feedsDir?: string,
  env: Record<string, string> = {},
): Config {
  return loadConfig(schemas.byName('config.schema.json'), {
    env,
    flags: { redisUrl, prefix: BENCH_PREFIX, merchantId: BENCH_MERCHANT, feedsDir },
  });
}

/** The generator's own row function, so the orders match the generated feeds by construction. */
export function generatedRows(): RowOf {
  return row;
}

export function benchOrder(row: GeneratedRow, i: number): ImportedOrder {
  const twice = (amount: string): string => String(2 * Math.round(Number(amount) * 100));
  return {
    id: row.orderId,
    currency: row.currency,
    purchaseDate: '2026-11-20T10:00:00Z',
    buyerEmail: `buyer${i}@example.com`,
    buyerName: `Buyer ${i}`,
    marketplace: 'Amazon.com',
    buyerCancelRequested: false,
    itemOrder: [row.itemCode],
    items: {
      [row.itemCode]: {
        sku: `SKU-${i % 1000}`,
        ordered: 2,
        charged: { Principal: twice(row.price), Tax: twice(row.tax) },
      },
    },
  };
}
