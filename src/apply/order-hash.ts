/**
 * The read side of the order hash the ledger scripts keep (layout in src/apply/lua/lib/1-prelude.lua and
 * keys.ts): back to the LedgerOrder shape the CLI and the API show.
 */
import type { LedgerItem, LedgerOrder } from './ledger.js';

/** "Principal=2000,Tax=160" -> { Principal: '2000', Tax: '160' }. */
export function parseAmounts(text: string | undefined): Record<string, string> {
  const amounts: Record<string, string> = {};
  for (const pair of (text ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at > 0) amounts[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return amounts;
}

/** The order's packed state field `o`: "ordered|shipped|cancelled|status|currency|flags". */
export interface OrderState {
  status: LedgerOrder['status'];
  currency: string;
  buyerCancelRequested: boolean;
  sellerCancelled: boolean;
}

export function orderStateFrom(packed: string | null | undefined): OrderState | null {
  if (packed === null || packed === undefined) return null;
  const [, , , status = 'Unshipped', currency = '', flags = ''] = packed.split('|');
  return {
    status: status as LedgerOrder['status'],
    currency,
    buyerCancelRequested: flags.includes('b'),
    sellerCancelled: flags.includes('s'),
  };
}

export function orderFromHash(fields: Readonly<Record<string, string>>): LedgerOrder | null {
  const state = orderStateFrom(fields['o']);
  if (fields['id'] === undefined || state === null) return null;
  const itemOrder = (fields['itemOrder'] ?? '').split(',').filter(Boolean);
  const items: Record<string, LedgerItem> = {};
  for (const code of itemOrder) items[code] = itemFromHash(fields, code);
  const optional = (name: string): string | null => fields[name] ?? null;
  return {
    id: fields['id'],
    merchantId: fields['merchantId'] ?? '',
    ...(fields['merchantOrderId'] === undefined ? {} : { merchantOrderId: fields['merchantOrderId'] }),
    ...(fields['sellerNote'] === undefined ? {} : { sellerNote: fields['sellerNote'] }),
    currency: state.currency,
    status: state.status,
    purchaseDate: optional('purchaseDate'),
    buyerEmail: optional('buyerEmail'),
    buyerName: optional('buyerName'),
    marketplace: optional('marketplace'),
    buyerCancelRequested: state.buyerCancelRequested,
    itemOrder,
    items,
  };
}

/** `i:<code>` is "ordered|shipped|cancelled|charged|refunded|sku", the SKU last since it may hold "|". */
function itemFromHash(fields: Readonly<Record<string, string>>, code: string): LedgerItem {
  const packed = fields[`i:${code}`] ?? '';
  const parts = packed.split('|');
  const merchantItemId = fields[`i:${code}:mi`];
  return {
    sku: parts.slice(5).join('|'),
    ordered: Number(parts[0] || 0),
    shipped: Number(parts[1] || 0),
    cancelled: Number(parts[2] || 0),
    charged: parseAmounts(parts[3]),
    refunded: parseAmounts(parts[4]),
    ...(merchantItemId === undefined ? {} : { merchantItemId }),
  };
}
