/** Ledger commands from a schema-valid flat row (column name -> trimmed cell; empty cells absent). */
import type { FlatKind } from '../core/feed-types.js';
import { toMinorUnits } from '../core/money.js';
import type { AdjustmentCommand, FulfillmentCommand, InventoryCommand } from './commands.js';
import type { CommandOrProblem } from './from-xml.js';

type Row = Readonly<Record<string, string>>;

/** Flat amount columns and the component each one adjusts. */
const AMOUNT_COLUMNS: ReadonlyArray<[string, string]> = [
  ['item-price-adj', 'Principal'],
  ['item-tax-adj', 'Tax'],
  ['shipping-price-adj', 'Shipping'],
  ['shipping-tax-adj', 'ShippingTax'],
  ['gift-wrap-price-adj', 'GiftWrap'],
  ['gift-wrap-tax-adj', 'GiftWrapTax'],
  ['item-promotion-adj', 'Promotion:Principal'],
  ['ship-promotion-adj', 'Promotion:Shipping'],
];

export function commandFromFlat(kind: FlatKind, row: Row): CommandOrProblem {
  switch (kind) {
    case 'adjustment':
      return adjustment(row);
    case 'cancellation':
      return {
        command: {
          kind: 'acknowledgement',
          order: { amazonOrderId: row['order-id'] ?? '' },
          statusCode: 'Failure',
          items: row['amazon-order-item-code']
            ? [
                {
                  code: row['amazon-order-item-code'],
                  ...(row['cancellation-reason-code'] ? { reason: row['cancellation-reason-code'] } : {}),
                },
              ]
            : [],
        },
      };
    case 'fulfillment':
      return { command: fulfillment(row) };
    case 'inventory-loader':
    case 'price-quantity':
      return { command: inventory(kind, row) };
  }
}

function adjustment(row: Row): CommandOrProblem {
  const currency = row['currency'];
  const components: Array<{ type: string; amount: string }> = [];
  for (const [column, type] of AMOUNT_COLUMNS) {
    const value = row[column];
    if (value === undefined) continue;
    const minor = toMinorUnits(value);
    if (minor === null) return { unrepresentable: { amount: value, currency: currency ?? '' } };
    if (minor !== 0) components.push({ type, amount: String(minor) });
  }
  const adjId = row['merchant-adjustment-item-id'];
  const command: AdjustmentCommand = {
    kind: 'adjustment',
    order: { amazonOrderId: row['order-id'] ?? '' },
    ...(currency ? { currency } : {}),
    items: [
      {
        code: row['order-item-id'] ?? '',
        reason: row['adjustment-reason-code'] ?? '',
        ...(adjId ? { adjId } : {}),
        components,
        quantityCancelled: Number(row['quantity-cancelled'] ?? 0),
      },
    ],
  };
  return { command };
}

function fulfillment(row: Row): FulfillmentCommand {
  const carrier =
    row['carrier-code'] === 'Other' ? (row['carrier-name'] ?? 'Other') : (row['carrier-code'] ?? row['carrier-name']);
  return {
    kind: 'fulfillment',
    order: { amazonOrderId: row['order-id'] ?? '' },
    fulfillmentDate: row['ship-date'] ?? '',
    ...(carrier ? { carrier } : {}),
    ...(row['tracking-number'] ? { trackingNumber: row['tracking-number'] } : {}),
    items: row['order-item-id']
      ? [{ code: row['order-item-id'], ...(row['quantity'] ? { quantity: Number(row['quantity']) } : {}) }]
      : [],
  };
}

/**
 * Both flat inventory templates update only the columns given (a blank cell leaves the value alone); the
 * inventory loader's add-delete `d` or `x` removes the SKU.
 */
function inventory(kind: FlatKind, row: Row): InventoryCommand {
  const sku = row['sku'] ?? '';
  if (kind === 'inventory-loader' && (row['add-delete'] === 'd' || row['add-delete'] === 'x')) {
    return { kind: 'inventory', operation: 'Delete', sku, fields: {} };
  }
  const fields: InventoryCommand['fields'] = {};
  if (row['quantity'] !== undefined) fields['quantity'] = Number(row['quantity']);
  const latency = row['handling-time'] ?? row['leadtime-to-ship'];
  if (latency !== undefined) fields['fulfillmentLatency'] = Number(latency);
  if (row['price'] !== undefined) fields['price'] = row['price'];
  if (row['restock-date'] !== undefined) fields['restockDate'] = row['restock-date'];
  const channel = row['fulfillment-channel'];
  if (channel !== undefined) fields['fulfillmentChannel'] = channel === 'DEFAULT' ? 'MFN' : 'AFN';
  if (row['fulfillment-center-id'] !== undefined) fields['fulfillmentCenterId'] = row['fulfillment-center-id'];
  return { kind: 'inventory', operation: 'PartialUpdate', sku, fields };
}
