/** `orders import`, `order ID`, `inventory SKU`: the ledger from the command line (JSON shapes of spec §5). */
import { importOrderReport, importSummary } from '../../apply/import-orders.js';
import { createLedger, type CancellationRecord, type Ledger } from '../../apply/ledger.js';
import { inventoryJson, orderJson } from '../../apply/ledger-json.js';
import type { Config } from '../../core/config.js';
import { formatMinorUnits, toMinorUnits } from '../../core/money.js';
import { FeedError } from '../../core/errors.js';
import type { ReportFormat } from '../../core/types.js';
import { readOrderReport } from '../../parse/order-report.js';
import type { SchemaRegistry } from '../../validate/index.js';
import { EXIT } from '../exit-codes.js';
import { startProgress } from '../progress-line.js';
import { openRuntime } from '../runtime.js';
import { requireMerchant } from './pipeline.js';

export async function runOrdersImport(
  config: Config,
  schemas: SchemaRegistry,
  file: string,
  out: NodeJS.WritableStream,
): Promise<number> {
  const merchantId = requireMerchant(config);
  const progress = await startProgress(file, undefined);
  let runtime;
  try {
    const report = await readOrderReport(file, progress.meter);
    if (report.missing.length > 0)
      throw new FeedError('CLI_USAGE', {
        detail: `${file} is not an order report: no ${report.missing.join(', ')} column`,
      });
    runtime = await openRuntime(config, schemas, { workers: false });
    const ledger = createLedger(runtime.deps.redis, config.prefix, merchantId);
    const imported = { done: 0 };
    progress.applying(() => ({ done: imported.done, total: report.orders.length }), 'orders');
    const counts = await importOrderReport(ledger, report, imported);
    progress.end();
    out.write(importSummary(file, report, counts));
    return report.skipped.length > 0 ? EXIT.MESSAGE_ERRORS : EXIT.OK;
  } finally {
    progress.end();
    await runtime?.close();
  }
}

export async function runOrder(
  config: Config,
  schemas: SchemaRegistry,
  orderId: string,
  format: ReportFormat | undefined,
  out: NodeJS.WritableStream,
): Promise<number> {
  return withLedger(config, schemas, async (ledger) => {
    const order = await ledger.order(orderId);
    if (!order)
      throw new FeedError('CLI_NOT_FOUND', { detail: `merchant ${ledger.merchantId} has no order ${orderId}` });
    const shaped = orderJson(order);
    if (format === 'json') out.write(`${JSON.stringify(shaped, null, 2)}\n`);
    else out.write(orderText(shaped) + cancellationsText(await ledger.cancellations(orderId)));
  });
}

export async function runInventory(
  config: Config,
  schemas: SchemaRegistry,
  sku: string,
  format: ReportFormat | undefined,
  out: NodeJS.WritableStream,
): Promise<number> {
  return withLedger(config, schemas, async (ledger) => {
    const record = await ledger.stock(sku);
    if (!record)
      throw new FeedError('CLI_NOT_FOUND', {
        detail: `merchant ${ledger.merchantId} has no inventory record for SKU ${sku}`,
      });
    const shaped = inventoryJson(sku, record);
    out.write(format === 'json' ? `${JSON.stringify(shaped, null, 2)}\n` : inventoryText(shaped));
  });
}

/** Runs `show` with the merchant's ledger on a fresh connection, closed afterwards. */
async function withLedger(
  config: Config,
  schemas: SchemaRegistry,
  show: (ledger: Ledger) => Promise<void>,
): Promise<number> {
  const merchantId = requireMerchant(config);
  const runtime = await openRuntime(config, schemas, { workers: false, readOnly: true });
  try {
    await show(createLedger(runtime.deps.redis, config.prefix, merchantId));
    return EXIT.OK;
  } finally {
    await runtime.close();
  }
}

/** One `name: value` line per field; prices as `USD 19.99, EUR 17.50`. */
function inventoryText(shaped: ReturnType<typeof inventoryJson>): string {
  const lines = Object.entries(shaped).map(([name, value]) =>
    name === 'prices'
      ? `${name}: ${Object.entries(value as Record<string, string>)
          .map(([currency, amount]) => `${currency} ${amount}`)
          .join(', ')}`
      : `${name}: ${String(value)}`,
  );
  return `${lines.join('\n')}\n`;
}

function cancellationsText(records: readonly CancellationRecord[]): string {
  return records
    .map(
      (c) =>
        `  cancelled ${c.units} of ${c.itemCode} (${c.reason || 'no reason'}, ${c.source}); buyer e-mail: ${c.mail}\n`,
    )
    .join('');
}

/** `PLN 129.00 (Principal 119.00, Tax 10.00)`, or `nothing`: money as a person reads it, not as JSON. */
function amounts(components: Readonly<Record<string, string>>, currency: string): string {
  const entries = Object.entries(components).filter(([, amount]) => toMinorUnits(amount) !== 0);
  if (entries.length === 0) return 'nothing';
  const minor = entries.reduce((sum, [, amount]) => sum + (toMinorUnits(amount) ?? 0), 0);
  const parts = entries.map(([name, amount]) => `${name} ${amount}`).join(', ');
  return `${currency} ${formatMinorUnits(minor)}${entries.length > 1 ? ` (${parts})` : ` ${entries[0]?.[0] ?? ''}`}`;
}

function orderText(order: ReturnType<typeof orderJson>): string {
  const lines = [`${order.amazonOrderId} (${order.status}, ${order.currency}, merchant ${order.merchantId})`];
  if (order.sellerNote !== undefined) lines.push(`  seller's note: ${order.sellerNote}`);
  for (const i of order.items) {
    lines.push(
      `  ${i.amazonOrderItemCode} ${i.sku}: ordered ${i.quantityOrdered}, shipped ${i.quantityShipped}, cancelled ${i.quantityCancelled}; charged ${amounts(i.charged, order.currency)}; refunded ${amounts(i.refunded, order.currency)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
