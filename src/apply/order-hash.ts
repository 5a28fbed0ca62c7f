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

export function orderFromHash(fields: Readonly<Record<string, string>>): LedgerOrder | null {
  if (fields['id'] === undefined) return null;
  const itemOrder = (fields['itemOrder'] ?? '').split(',').filter(Boolean);
  const items: Record<string, LedgerItem> = {};
  for (const code of itemOrder) items[code] = itemFromHash(fields, code);
  const optional = (name: string): string | null => fields[name] ?? null;
  return {
    id: fields['id'],
    merchantId: fields['merchantId'] ?? '',
    ...(fields['merchantOrderId'] === undefined ? {} : { merchantOrderId: fields['merchantOrderId'] }),
    ...(fields['sellerNote'] === undefined ? {} : { sellerNote: fields['sellerNote'] }),
    currency: fields['currency'] ?? '',
    status: (fields['status'] ?? 'Unshipped') as LedgerOrder['status'],
    purchaseDate: optional('purchaseDate'),
    buyerEmail: optional('buyerEmail'),
    buyerName: optional('buyerName'),
    marketplace: optional('marketplace'),
    buyerCancelRequested: fields['buyerCancelRequested'] === 'true',
    itemOrder,
    items,
  };
}

function itemFromHash(fields: Readonly<Record<string, string>>, code: string): LedgerItem {
  const field = (name: string): string | undefined => fields[`i:${code}:${name}`];
  const merchantItemId = field('mi');
  return {
    sku: field('sku') ?? '',
    ordered: Number(field('q') ?? 0),
    shipped: Number(field('s') ?? 0),
    cancelled: Number(field('x') ?? 0),
    charged: parseAmounts(field('c')),
    refunded: parseAmounts(field('r')),
    ...(merchantItemId === undefined ? {} : { merchantItemId }),
  };
}
