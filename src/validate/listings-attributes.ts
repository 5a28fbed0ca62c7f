/**
 * What feedproc keeps of a schema-valid JSON listings message, and what it says about the rest. It keeps, for a
 * SKU, the DEFAULT channel's entry of `fulfillment_availability` (quantity, lead time, restock date) and the price
 * of each `purchasable_offer` for everyone (`audience` absent or ALL) per currency, in minor units read from the
 * number's source text. Everything else is accepted and named in a warning (97201), never dropped silently; two
 * DEFAULT entries, two prices in one currency or a price that cannot be booked make the message an error.
 */
import { toMinorUnits } from '../core/money.js';
import type { ListingAvailability, ListingChange, ListingMessage } from '../core/types.js';
import type { JsonPart } from '../parse/json-listings-reader.js';
import { escapePointer } from '../parse/json-listings-reader.js';
import type { ResultInput } from '../report/report-builder.js';
import { readablePath } from './describe-json-errors.js';

export const KEPT_ATTRIBUTES = ['fulfillment_availability', 'purchasable_offer'] as const;
type KeptAttribute = (typeof KEPT_ATTRIBUTES)[number];

const MESSAGE_MEMBERS = new Set([
  'messageId',
  'sku',
  'operationType',
  'productType',
  'requirements',
  'attributes',
  'patches',
]);
const AVAILABILITY_MEMBERS = new Set([
  'fulfillment_channel_code',
  'quantity',
  'lead_time_to_ship_max_days',
  'restock_date',
]);
const OFFER_MEMBERS = new Set(['currency', 'marketplace_id', 'audience', 'our_price']);

type Json = Record<string, unknown>;

export interface ReadListing {
  listing: ListingMessage;
  warnings: ResultInput[];
  /** Why the message cannot be applied, or null. */
  error: ResultInput | null;
}

/** Reads a message that passed the schema (so its members have the types the schema gives them). */
export function readListing(part: JsonPart): ReadListing {
  return new ListingReader(part).read();
}

class ListingReader {
  private readonly warnings: ResultInput[] = [];
  private error: ResultInput | null = null;
  private readonly message: Json;

  constructor(private readonly part: JsonPart) {
    this.message = part.value as Json;
  }

  read(): ReadListing {
    const operationType = this.message['operationType'] as ListingMessage['operationType'];
    for (const name of Object.keys(this.message))
      if (!MESSAGE_MEMBERS.has(name)) {
        const at = this.at(`/${escapePointer(name)}`);
        this.warnings.push({
          code: 'JSON_MESSAGE_PROPERTY_IGNORED',
          context: { ...at, name: JSON.stringify(name) },
          position: at,
        });
      }
    const changes =
      operationType === 'PATCH'
        ? this.patches()
        : operationType === 'DELETE'
          ? []
          : this.attributes(this.message['attributes'] as Json);
    const listing: ListingMessage = { sku: this.message['sku'] as string, operationType, changes };
    return { listing, warnings: this.warnings, error: this.error };
  }

  private attributes(attributes: Json): ListingChange[] {
    const changes: ListingChange[] = [];
    for (const [name, value] of Object.entries(attributes)) {
      const pointer = `/attributes/${escapePointer(name)}`;
      if (!isKept(name)) {
        this.notKept(pointer, name, name, 'feedproc keeps fulfillment_availability and purchasable_offer only');
        continue;
      }
      const change = this.kept(name, 'set', value as Json[], pointer);
      if (change) changes.push(change);
    }
    return changes;
  }

  private patches(): ListingChange[] {
    const changes: ListingChange[] = [];
    (this.message['patches'] as Json[]).forEach((patch, i) => {
      const name = (patch['path'] as string).slice('/attributes/'.length).replace(/~1/g, '/').replace(/~0/g, '~');
      const pointer = `/patches/${i}`;
      if (!isKept(name)) {
        this.notKept(pointer, name, name, 'feedproc keeps fulfillment_availability and purchasable_offer only');
        return;
      }
      const op = patch['op'] as string;
      if (op === 'delete') {
        changes.push(this.deletion(name, patch['value'] as Json[] | undefined));
        return;
      }
      const change = this.kept(name, op === 'merge' ? 'merge' : 'set', patch['value'] as Json[], `${pointer}/value`);
      if (change) changes.push(change);
    });
    return changes;
  }

  private deletion(name: KeptAttribute, value: Json[] | undefined): ListingChange {
    if (name === 'fulfillment_availability') return { attribute: name, op: 'delete' };
    const currencies = (value ?? []).flatMap((entry) =>
      typeof entry['currency'] === 'string' ? [entry['currency']] : [],
    );
    return { attribute: name, op: 'delete', currencies: currencies.length > 0 ? currencies : null };
  }

  private kept(name: KeptAttribute, op: 'set' | 'merge', entries: Json[], pointer: string): ListingChange | null {
    if (name === 'fulfillment_availability') {
      const availability = this.availability(entries, pointer);
      return availability ? { attribute: name, op, availability } : null;
    }
    const prices = this.prices(entries, pointer);
    return prices ? { attribute: name, op, prices } : null;
  }

  /** The DEFAULT channel's entry; other channels are Amazon's to count and are named in a warning. */
  private availability(entries: Json[], pointer: string): ListingAvailability | null {
    let found: ListingAvailability | null = null;
    entries.forEach((entry, i) => {
      const at = `${pointer}/${i}`;
      const channel = entry['fulfillment_channel_code'] as string;
      if (channel !== 'DEFAULT') {
        const reason = `feedproc keeps the seller's own stock (channel DEFAULT) only; Amazon counts the stock of ${channel} itself`;
        this.notKept(at, 'fulfillment_availability', `fulfillment_availability (channel ${channel})`, reason);
        return;
      }
      if (found) {
        this.fail(at, 'fulfillment_availability', 'has a second entry for channel DEFAULT; give one');
        return;
      }
      const kept = 'fulfillment_channel_code, quantity, lead_time_to_ship_max_days and restock_date';
      this.others(entry, AVAILABILITY_MEMBERS, at, 'fulfillment_availability', kept);
      found = {};
      if (entry['quantity'] !== undefined) found.quantity = entry['quantity'] as number;
      if (entry['lead_time_to_ship_max_days'] !== undefined)
        found.leadTimeDays = entry['lead_time_to_ship_max_days'] as number;
      if (entry['restock_date'] !== undefined) found.restockDate = entry['restock_date'] as string;
    });
    return found;
  }

  /** The our_price of each offer for everyone, per currency, in minor units. */
  private prices(entries: Json[], pointer: string): Record<string, number> | null {
    const prices: Record<string, number> = {};
    let any = false;
    entries.forEach((entry, i) => {
      const at = `${pointer}/${i}`;
      const currency = entry['currency'] as string;
      const audience = entry['audience'];
      if (audience !== undefined && audience !== 'ALL') {
        const reason = 'feedproc keeps the price for everyone (audience ALL or none) only';
        this.notKept(at, 'purchasable_offer', `purchasable_offer (audience ${String(audience)})`, reason);
        return;
      }
      this.others(entry, OFFER_MEMBERS, at, 'purchasable_offer', 'currency, marketplace_id, audience and our_price');
      const ourPrice = entry['our_price'] as Json[] | undefined;
      if (!ourPrice) {
        const what = `purchasable_offer (${currency}) without our_price`;
        this.notKept(at, 'purchasable_offer', what, 'of an offer feedproc keeps our_price only');
        return;
      }
      const price = ourPrice[0] as Json;
      this.others(price, new Set(['schedule']), `${at}/our_price/0`, 'purchasable_offer.our_price', 'schedule');
      const schedule = (price['schedule'] as Json[])[0] as Json;
      const scheduled = `${at}/our_price/0/schedule/0`;
      this.others(
        schedule,
        new Set(['value_with_tax']),
        scheduled,
        'purchasable_offer.our_price.schedule',
        'value_with_tax',
      );
      const valuePointer = `${scheduled}/value_with_tax`;
      const raw = this.part.numbers.get(valuePointer) ?? '';
      const minor = toMinorUnits(raw);
      if (minor === null || !/^[0-9.]+$/.test(raw)) {
        const detail = `${raw} cannot be booked: a price has at most two decimals and no exponent`;
        this.fail(valuePointer, 'purchasable_offer', detail);
        return;
      }
      if (prices[currency] !== undefined) {
        this.fail(
          at,
          'purchasable_offer',
          `gives a second price in ${currency}; feedproc keeps one price per currency`,
        );
        return;
      }
      prices[currency] = minor;
      any = true;
    });
    return any ? prices : null;
  }

  /** Members of a kept attribute's entry (`path` names it, e.g. purchasable_offer.our_price) not kept: each warned. */
  private others(entry: Json, known: ReadonlySet<string>, pointer: string, path: string, kept: string): void {
    const attribute = path.split('.')[0] as string;
    for (const name of Object.keys(entry)) {
      if (known.has(name)) continue;
      const reason = `of ${path} feedproc keeps ${kept}`;
      this.notKept(`${pointer}/${escapePointer(name)}`, attribute, `${path}.${name}`, reason);
    }
  }

  private notKept(pointer: string, attributeName: string, what: string, reason: string): void {
    const at = this.at(pointer);
    this.warnings.push({
      code: 'LISTINGS_ATTRIBUTE_NOT_KEPT',
      context: { ...at, attribute: what, reason },
      position: { ...at, element: attributeName },
      attributeName,
    });
  }

  private fail(pointer: string, attributeName: string, detail: string): void {
    if (this.error) return;
    const at = this.at(pointer);
    const where = readablePath(pointer, 'the message');
    this.error = {
      code: 'VALIDATE_JSON_MESSAGE',
      context: { ...at, detail: `${where} ${detail}.` },
      position: { ...at, element: attributeName },
      attributeName,
    };
  }

  private at(pointer: string): { line: number; column: number } {
    return this.part.positions.get(pointer) ?? { line: this.part.line, column: this.part.column };
  }
}

function isKept(name: string): name is KeptAttribute {
  return (KEPT_ATTRIBUTES as readonly string[]).includes(name);
}
