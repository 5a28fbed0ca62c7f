/**
 * Ledger commands: what one valid message asks of the ledger, in feedproc's own terms (camelCase, minor
 * units), whatever the feed's format. Built from the schema-valid JSON view of an XML message or from a flat
 * row; message-batch.ts hands them to the Lua script (adjustments as plain arguments, the other kinds as JSON).
 */
export interface OrderRef {
  amazonOrderId?: string;
  merchantOrderId?: string;
}

export interface ItemRef {
  code?: string;
  merchantItemId?: string;
}

export interface AdjustmentCommand {
  kind: 'adjustment';
  order: OrderRef;
  currency?: string;
  items: Array<ItemRef & { reason: string; adjId?: string; components: Array<{ type: string; amount: string }>; quantityCancelled: number }>;
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
}

export type LedgerCommand = AdjustmentCommand | AcknowledgementCommand | FulfillmentCommand | InventoryCommand;

/** The order a command is about, for grouping messages of one order into one job; null for inventory. */
export function orderKeyOf(command: LedgerCommand): string | null {
  if (command.kind === 'inventory') return null;
  return command.order.amazonOrderId ?? `merchant:${command.order.merchantOrderId ?? ''}`;
}
