/**
 * The ledger command of a valid JSON listings message (what validation kept of it, validate/listings-attributes.ts):
 * its changes folded, in order, into one inventory command on the SKU's stock record — the same record the XML and
 * flat inventory feeds write and cancellations restock. UPDATE replaces the record with what is given, PARTIAL_UPDATE
 * and PATCH change only the attributes they name, DELETE removes the record.
 */
import type { ListingChange, ListingMessage } from '../core/types.js';
import type { InventoryCommand, PriceChange } from './commands.js';

/**
 * The stock fields `fulfillment_availability` stands for: what a JSON listing sets (quantity, lead time, restock
 * date, channel) and what an XML Inventory message may have set in their place (Available, Lookup, the centre).
 */
const AVAILABILITY_FIELDS = [
  'quantity',
  'fulfillmentLatency',
  'restockDate',
  'fulfillmentChannel',
  'available',
  'lookup',
  'fulfillmentCenterId',
];

const OPERATIONS: Readonly<Record<ListingMessage['operationType'], InventoryCommand['operation']>> = {
  UPDATE: 'Update',
  PARTIAL_UPDATE: 'PartialUpdate',
  PATCH: 'PartialUpdate',
  DELETE: 'Delete',
};

export function commandFromListing(listing: ListingMessage): InventoryCommand {
  const command: InventoryCommand = {
    kind: 'inventory',
    operation: OPERATIONS[listing.operationType],
    sku: listing.sku,
    fields: {},
  };
  if (command.operation === 'Delete') return command;
  const unset = new Set<string>();
  const prices: PriceChange = { clear: false, unset: [], set: {} };
  let pricesChanged = false;
  for (const change of listing.changes) {
    if (change.attribute === 'fulfillment_availability') applyAvailability(command, unset, change);
    else {
      applyPrices(prices, change);
      pricesChanged = true;
    }
  }
  if (unset.size > 0) command.unset = [...unset];
  if (pricesChanged) command.prices = prices;
  return command;
}

function applyAvailability(
  command: InventoryCommand,
  unset: Set<string>,
  change: Extract<ListingChange, { attribute: 'fulfillment_availability' }>,
): void {
  if (change.op !== 'merge')
    for (const field of AVAILABILITY_FIELDS) {
      delete command.fields[field];
      unset.add(field);
    }
  if (change.op === 'delete') return;
  const set = (field: string, value: string | number | undefined): void => {
    if (value === undefined) return;
    command.fields[field] = value;
    unset.delete(field);
  };
  set('quantity', change.availability.quantity);
  set('fulfillmentLatency', change.availability.leadTimeDays);
  set('restockDate', change.availability.restockDate);
  set('fulfillmentChannel', 'MFN'); // the DEFAULT channel: the seller ships
}

function applyPrices(prices: PriceChange, change: Extract<ListingChange, { attribute: 'purchasable_offer' }>): void {
  const drop = (currency: string): void => {
    delete prices.set[currency];
    if (!prices.unset.includes(currency)) prices.unset.push(currency);
  };
  if (change.op === 'delete') {
    if (change.currencies) change.currencies.forEach(drop);
    else Object.assign(prices, { clear: true, unset: [], set: {} });
    return;
  }
  if (change.op === 'set') Object.assign(prices, { clear: true, unset: [], set: {} });
  for (const [currency, minor] of Object.entries(change.prices)) {
    prices.set[currency] = String(minor);
    prices.unset = prices.unset.filter((c) => c !== currency);
  }
}
