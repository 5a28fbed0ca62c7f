/**
 * Ledger commands from the JSON view (validate/xml-to-json.ts) of a schema-valid XML message body. Values of
 * collapsing XSD types (numbers, dates, booleans) are trimmed here; amounts become minor units.
 */
import { toMinorUnits } from '../core/money.js';
import type { XmlMessageType } from '../core/feed-types.js';
import type {
  AcknowledgementCommand,
  AdjustedItem,
  AdjustmentCommand,
  FulfillmentCommand,
  InventoryCommand,
  ItemRef,
  LedgerCommand,
  OrderRef,
} from './commands.js';

type View = Record<string, unknown>;
export type CommandOrProblem = { command: LedgerCommand } | { unrepresentable: { amount: string; currency: string } };

const list = (view: View, name: string): View[] => (view[name] as View[] | undefined) ?? [];
const text = (view: View, name: string): string | undefined => {
  const value = (view[name] as unknown[] | undefined)?.[0];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : String((value as View)['#text'] ?? '');
};
const trimmed = (view: View, name: string): string | undefined => text(view, name)?.trim();
const count = (view: View, name: string): number | undefined => {
  const value = trimmed(view, name);
  return value === undefined ? undefined : Number(value);
};

function orderRef(view: View): OrderRef {
  const amazonOrderId = text(view, 'AmazonOrderID');
  return amazonOrderId !== undefined ? { amazonOrderId } : { merchantOrderId: text(view, 'MerchantOrderID') ?? '' };
}

function itemRef(view: View): ItemRef {
  const code = text(view, 'AmazonOrderItemCode');
  return code !== undefined ? { code } : { merchantItemId: text(view, 'MerchantOrderItemID') ?? '' };
}

/** Converts a valid body; `messageType` names which one it is. */
export function commandFromXml(
  messageType: XmlMessageType,
  body: View,
  operationType: string | undefined,
): CommandOrProblem {
  switch (messageType) {
    case 'OrderAdjustment':
      return adjustment(body);
    case 'OrderAcknowledgement':
      return { command: acknowledgement(body) };
    case 'OrderFulfillment':
      return { command: fulfillment(body) };
    case 'Inventory':
      return { command: inventory(body, operationType) };
  }
}

interface Amount {
  type: string;
  value: string;
  currency: string | undefined;
}

function amountsOf(item: View): Amount[] {
  const amounts: Amount[] = [];
  const collect = (group: View, prefix: string): void => {
    for (const component of list(group, 'Component')) {
      const amount = (component['Amount'] as unknown[])[0];
      const value = typeof amount === 'string' ? amount : String((amount as View)['#text']);
      const currency = typeof amount === 'string' ? undefined : ((amount as View)['@currency'] as string | undefined);
      amounts.push({ type: `${prefix}${trimmed(component, 'Type') ?? ''}`, value, currency });
    }
  };
  for (const group of list(item, 'ItemPriceAdjustments')) collect(group, '');
  for (const group of list(item, 'PromotionAdjustments')) collect(group, 'Promotion:');
  for (const group of list(item, 'DirectPaymentAdjustments')) collect(group, 'DirectPayment:');
  return amounts;
}

function adjustment(body: View): CommandOrProblem {
  const command: AdjustmentCommand = { kind: 'adjustment', order: orderRef(body), items: [] };
  for (const item of list(body, 'AdjustedItem')) {
    const components: Array<{ type: string; amount: string }> = [];
    for (const amount of amountsOf(item)) {
      const minor = toMinorUnits(amount.value);
      if (minor === null)
        return {
          unrepresentable: { amount: amount.value.trim(), currency: amount.currency ?? command.currency ?? '' },
        };
      if (amount.currency) command.currency ??= amount.currency;
      components.push({ type: amount.type, amount: String(minor) });
    }
    // Built field by field rather than with spreads: this runs for most messages of most feeds.
    const adjusted = itemRef(item) as AdjustedItem;
    adjusted.reason = text(item, 'AdjustmentReason') ?? '';
    const adjId = text(item, 'MerchantAdjustmentItemID');
    if (adjId !== undefined) adjusted.adjId = adjId;
    adjusted.components = components;
    adjusted.quantityCancelled = count(item, 'QuantityCancelled') ?? 0;
    command.items.push(adjusted);
  }
  return { command };
}

function acknowledgement(body: View): AcknowledgementCommand {
  const merchantOrderId = text(body, 'MerchantOrderID');
  return {
    kind: 'acknowledgement',
    order: {
      amazonOrderId: text(body, 'AmazonOrderID') ?? '',
      ...(merchantOrderId !== undefined ? { merchantOrderId } : {}),
    },
    statusCode: text(body, 'StatusCode') === 'Failure' ? 'Failure' : 'Success',
    items: list(body, 'Item').map((item) => {
      const merchantItemId = text(item, 'MerchantOrderItemID');
      const reason = text(item, 'CancelReason');
      const quantity = count(item, 'Quantity');
      return {
        code: text(item, 'AmazonOrderItemCode') ?? '',
        ...(merchantItemId !== undefined ? { merchantItemId } : {}),
        ...(reason !== undefined ? { reason } : {}),
        ...(quantity !== undefined ? { quantity } : {}),
      };
    }),
  };
}

function fulfillment(body: View): FulfillmentCommand {
  const data = list(body, 'FulfillmentData')[0];
  const carrier = data ? (text(data, 'CarrierCode') ?? text(data, 'CarrierName')) : undefined;
  const trackingNumber = data ? text(data, 'ShipperTrackingNumber') : undefined;
  return {
    kind: 'fulfillment',
    order: orderRef(body),
    fulfillmentDate: trimmed(body, 'FulfillmentDate') ?? '',
    ...(carrier !== undefined ? { carrier } : {}),
    ...(trackingNumber !== undefined ? { trackingNumber } : {}),
    items: list(body, 'Item').map((item) => {
      const quantity = count(item, 'Quantity');
      return { ...itemRef(item), ...(quantity !== undefined ? { quantity } : {}) };
    }),
  };
}

function inventory(body: View, operationType: string | undefined): InventoryCommand {
  const fields: InventoryCommand['fields'] = {};
  const quantity = count(body, 'Quantity');
  if (quantity !== undefined) fields['quantity'] = quantity;
  const available = trimmed(body, 'Available');
  if (available !== undefined) fields['available'] = available === 'true' || available === '1';
  const lookup = text(body, 'Lookup');
  if (lookup !== undefined) fields['lookup'] = lookup;
  const latency = count(body, 'FulfillmentLatency');
  if (latency !== undefined) fields['fulfillmentLatency'] = latency;
  const restockDate = trimmed(body, 'RestockDate');
  if (restockDate !== undefined) fields['restockDate'] = restockDate;
  const center = text(body, 'FulfillmentCenterID');
  if (center !== undefined) fields['fulfillmentCenterId'] = center;
  const channel = text(body, 'SwitchFulfillmentTo');
  if (channel !== undefined) fields['fulfillmentChannel'] = channel;
  const operation = operationType === 'Delete' || operationType === 'PartialUpdate' ? operationType : 'Update';
  return { kind: 'inventory', operation, sku: text(body, 'SKU') ?? '', fields };
}
