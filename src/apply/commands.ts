/**
 * Ledger commands: what one valid message asks of the ledger, in feedproc's own terms (camelCase, minor
 * units), whatever the feed's format. Built from the schema-valid JSON view of an XML message, from a flat row
 * or from what validation kept of a JSON listings message; message-batch.ts hands them to the Lua script
 * (adjustments as plain arguments, the other kinds as JSON).
 */
export interface OrderRef {
  amazonOrderId?: string;
  merchantOrderId?: string;
}

export interface ItemRef {
  code?: string;
  merchantItemId?: string;
}

export type AdjustedItem = ItemRef & {
  reason: string;
  adjId?: string;
  components: Array<{ type: string; amount: string }>;
  quantityCancelled: number;
};

export interface AdjustmentCommand {
  kind: 'adjustment';
  order: OrderRef;
  currency?: string;
  items: AdjustedItem[];
}

export interface AcknowledgementCommand {
  kind: 'acknowledgement';
  order: OrderRef & { amazonOrderId: string };
  statusCode: 'Success' | 'Failure';
  items: Array<{ code: string; merchantItemId?: string; reason?: string; quantity?: number }>;
  /** The reason of a whole-order cancellation (the seller's "Cancel order" without items). */
  reason?: string;
  /** The seller's note, kept with the order and the cancellation events. */
  note?: string;
  /** Who cancelled: an acknowledgement feed (default) or the seller directly ("Cancel order"). */
  source?: 'acknowledgement' | 'seller';
}

export interface FulfillmentCommand {
  kind: 'fulfillment';
  order: OrderRef;
  fulfillmentDate: string;
  carrier?: string;
  trackingNumber?: string;
  items: Array<ItemRef & { quantity?: number }>;
}

export interface InventoryCommand {
  kind: 'inventory';
  operation: 'Update' | 'PartialUpdate' | 'Delete';
  sku: string;
  fields: Record<string, string | number | boolean | null>;
  /** Fields of the record to erase before `fields` are set (JSON listings: an attribute replaced or deleted). */
  unset?: string[];
  /** The record's prices per currency (JSON listings), in minor units as text. */
  prices?: PriceChange;
}

/** `clear` drops every kept price first, then `unset` drops those currencies and `set` writes these. */
export interface PriceChange {
  clear: boolean;
  unset: string[];
  set: Record<string, string>;
}

export type LedgerCommand = AdjustmentCommand | AcknowledgementCommand | FulfillmentCommand | InventoryCommand;

/**
 * The commonest adjustment — one item named by its AmazonOrderItemCode, without MerchantOrderID or
 * MerchantAdjustmentItemID (every flat row is one) — which the ledger script (message-batch.ts) and the spill
 * (queue/spill-line.ts) carry in compact forms: the command and its item, or null for any other command.
 */
export function singleItemByCode(
  command: LedgerCommand,
): { command: AdjustmentCommand; item: AdjustedItem & { code: string } } | null {
  if (command.kind !== 'adjustment' || command.items.length !== 1 || command.order.merchantOrderId !== undefined)
    return null;
  const item = command.items[0] as AdjustedItem;
  return item.code !== undefined && item.adjId === undefined
    ? { command, item: item as AdjustedItem & { code: string } }
    : null;
}

/** An item's components as "Type=minor,Type=minor", the ledger's text for amounts (lua/lib/1-prelude.lua). */
export function componentsText(components: AdjustedItem['components']): string {
  return components.map((c) => `${c.type}=${c.amount}`).join(',');
}

/** The order a command is about, for grouping messages of one order into one job; null for inventory. */
export function orderKeyOf(command: LedgerCommand): string | null {
  if (command.kind === 'inventory') return null;
  return command.order.amazonOrderId ?? `merchant:${command.order.merchantOrderId ?? ''}`;
}
