/** The JSON shapes of ledger state (docs/reports.md#order, #inventory): one order, one SKU's inventory. */
import { formatMinorUnits } from '../core/money.js';
import type { LedgerOrder, StockRecord } from './ledger.js';

/** Components in the order Amazon lists them, then any others alphabetically (the ledger keeps no order). */
const COMPONENT_ORDER = ['Principal', 'Tax', 'Shipping', 'ShippingTax', 'GiftWrap', 'GiftWrapTax'];
const rank = (component: string): number => {
  const index = COMPONENT_ORDER.indexOf(component);
  return index === -1 ? COMPONENT_ORDER.length : index;
};
const decimals = (amounts: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(amounts)
      .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
      .map(([component, minor]) => [component, formatMinorUnits(Number(minor))]),
  );

export function orderJson(order: LedgerOrder) {
  return {
    amazonOrderId: order.id,
    merchantOrderId: order.merchantOrderId ?? null,
    merchantId: order.merchantId,
    status: order.status,
    currency: order.currency,
    purchaseDate: order.purchaseDate,
    buyerCancellationRequested: order.buyerCancelRequested,
    ...(order.sellerNote === undefined ? {} : { sellerNote: order.sellerNote }),
    items: order.itemOrder.map((code) => {
      const item = order.items[code];
      return {
        amazonOrderItemCode: code,
        merchantOrderItemId: item?.merchantItemId ?? null,
        sku: item?.sku ?? '',
        quantityOrdered: item?.ordered ?? 0,
        quantityShipped: item?.shipped ?? 0,
        quantityCancelled: item?.cancelled ?? 0,
        charged: decimals(item?.charged ?? {}),
        refunded: decimals(item?.refunded ?? {}),
      };
    }),
  };
}

/**
 * One SKU in the shape of docs/reports.md#inventory, plus `prices` (currency → decimal amount) when a JSON
 * listings feed set any: the shape of records without prices stays the documented one.
 */
export function inventoryJson(sku: string, record: StockRecord) {
  const value = <T>(name: string): T | null => (record[name] ?? null) as T | null;
  const prices = record['prices'] as unknown as Record<string, string> | undefined;
  return {
    sku,
    quantity: value<number>('quantity'),
    available: value<boolean>('available'),
    fulfillmentLatency: value<number>('fulfillmentLatency'),
    restockDate: value<string>('restockDate'),
    fulfillmentChannel:
      record['fulfillmentChannel'] === 'AFN' || record['lookup'] === 'FulfillmentNetwork' ? 'AFN' : 'MFN',
    ...(prices && typeof prices === 'object' ? { prices: decimalPrices(prices) } : {}),
  };
}

/** Minor units as kept → decimals, currencies in alphabetical order. */
function decimalPrices(prices: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(prices)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([currency, minor]) => [currency, formatMinorUnits(Number(minor))]),
  );
}
