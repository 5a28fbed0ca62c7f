/**
 * Reads Amazon's flat order report (`_GET_FLAT_FILE_ORDERS_DATA_`; its columns:
 * docs/formats-and-validation.md#orders-come-from-amazons-order-report) into orders: one row per order item, matched
 * by column name (unknown columns ignored, any encoding the feed reader supports).
 * Prices are line totals in the order currency and become the item's charged components.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { toMinorUnits } from '../core/money.js';
import type { ProgressMeter } from '../core/progress-meter.js';
import { DecodeError, decodeFile, sniffFile } from './decode.js';
import { LineSplitter } from './line-splitter.js';

export interface ImportedItem {
  sku: string;
  ordered: number;
  /** Component -> minor units, as a string (the ledger's money representation). */
  charged: Record<string, string>;
}

export interface ImportedOrder {
  id: string;
  currency: string;
  purchaseDate: string | null;
  buyerEmail: string | null;
  buyerName: string | null;
  marketplace: string | null;
  buyerCancelRequested: boolean;
  itemOrder: string[];
  items: Record<string, ImportedItem>;
}

export interface OrderReport {
  encoding: string;
  orders: ImportedOrder[];
  /** Rows that could not be used, with their line and why. */
  skipped: Array<{ line: number; reason: string }>;
}

/** Report column -> the charged component it holds. */
const CHARGED_COLUMNS: ReadonlyArray<[string, string]> = [
  ['item-price', 'Principal'],
  ['item-tax', 'Tax'],
  ['shipping-price', 'Shipping'],
  ['shipping-tax', 'ShippingTax'],
  ['gift-wrap-price', 'GiftWrap'],
  ['gift-wrap-tax', 'GiftWrapTax'],
];
export const REQUIRED_ORDER_COLUMNS = ['order-id', 'order-item-id', 'quantity-purchased', 'currency'] as const;

/** True when the first line of a file is an order report's header (so a dropped file is imported, not submitted). */
export function isOrderReportHeader(line: string): boolean {
  const columns = new Set(
    line
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\t'),
  );
  return REQUIRED_ORDER_COLUMNS.every((name) => columns.has(name));
}

const HEAD_BYTES = 64 * 1024;

/**
 * True when the file behind `handle` starts (first non-blank line) with an order report's header. The one test of
 * "is this Amazon's order report" for the drop folder, `validate` and `check-folder`, so all three treat the same
 * file the same way; the drop folder opens the file by its trust rules (ingest/trust.ts) before asking.
 */
export async function startsWithOrderReportHeader(handle: FileHandle): Promise<boolean> {
  const buffer = Buffer.alloc(HEAD_BYTES);
  const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
  const head = buffer.subarray(0, bytesRead).toString('latin1');
  const firstLine = head.split(/\r\n|\n|\r/).find((line) => line.trim() !== '') ?? '';
  return isOrderReportHeader(firstLine.replace(/^\u00EF\u00BB\u00BF/, ''));
}

/** `startsWithOrderReportHeader` for a file a user named (`validate`), opened as it is. */
export async function isOrderReportFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    return await startsWithOrderReportHeader(handle);
  } finally {
    await handle.close();
  }
}

/** Throws FeedError for files that are not text; a missing required column is reported as `missing`. */
export async function readOrderReport(
  path: string,
  meter?: ProgressMeter,
): Promise<OrderReport & { missing: string[] }> {
  const sniffed = await sniffFile(path);
  try {
    return await readAs(path, sniffed.encoding, sniffed.bomLength, meter);
  } catch (err) {
    if (!(err instanceof DecodeError) || sniffed.encodingDeclared) throw err;
    if (meter) meter.messages = 0;
    return readAs(path, 'windows-1252', sniffed.bomLength, meter);
  }
}

async function readAs(
  path: string,
  encoding: string,
  bomLength: number,
  meter: ProgressMeter | undefined,
): Promise<OrderReport & { missing: string[] }> {
  const reader = new OrderRows();
  const splitter = new LineSplitter((text, line) => {
    if (meter) meter.messages += 1;
    reader.onLine(text, line);
  });
  for await (const chunk of decodeFile(path, encoding, bomLength, meter)) splitter.push(chunk);
  splitter.end();
  return { encoding, orders: [...reader.orders.values()], skipped: reader.skipped, missing: reader.missing };
}

class OrderRows {
  readonly orders = new Map<string, ImportedOrder>();
  readonly skipped: Array<{ line: number; reason: string }> = [];
  missing: string[] = [];
  private columns: Map<string, number> | null = null;

  onLine(text: string, line: number): void {
    if (text.trim() === '') return;
    const cells = text.split('\t').map((c) => c.trim());
    if (!this.columns) {
      this.columns = new Map(cells.map((name, index) => [name.toLowerCase(), index]));
      this.missing = REQUIRED_ORDER_COLUMNS.filter((name) => !this.columns?.has(name));
      return;
    }
    if (this.missing.length === 0) this.addRow(cells, line);
  }

  private addRow(cells: string[], line: number): void {
    const cell = (name: string): string | undefined => {
      const index = this.columns?.get(name);
      const value = index === undefined ? undefined : cells[index];
      return value === '' ? undefined : value;
    };
    const id = cell('order-id');
    const code = cell('order-item-id');
    const ordered = Number(cell('quantity-purchased'));
    const currency = cell('currency');
    if (!id || !code || !currency || !Number.isInteger(ordered) || ordered < 0) {
      this.skipped.push({
        line,
        reason: 'order-id, order-item-id, currency and a whole quantity-purchased are required',
      });
      return;
    }
    const charged: Record<string, string> = {};
    for (const [column, component] of CHARGED_COLUMNS) {
      const value = cell(column);
      if (value === undefined) continue;
      const minor = toMinorUnits(value);
      if (minor === null || minor < 0) {
        this.skipped.push({ line, reason: `${column} '${value}' is not an amount` });
        return;
      }
      charged[component] = String(minor);
    }
    const order = this.orders.get(id) ?? this.newOrder(id, currency, cell);
    if (!order.items[code]) order.itemOrder.push(code);
    order.items[code] = { sku: cell('sku') ?? '', ordered, charged };
  }

  private newOrder(id: string, currency: string, cell: (name: string) => string | undefined): ImportedOrder {
    const order: ImportedOrder = {
      id,
      currency,
      purchaseDate: cell('purchase-date') ?? null,
      buyerEmail: cell('buyer-email') ?? null,
      buyerName: cell('buyer-name') ?? null,
      marketplace: cell('sales-channel') ?? cell('marketplace') ?? null,
      buyerCancelRequested: cell('is-buyer-requested-cancellation')?.toLowerCase() === 'true',
      itemOrder: [],
      items: {},
    };
    this.orders.set(id, order);
    return order;
  }
}
