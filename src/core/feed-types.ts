/**
 * The feed types feedproc reads (docs/formats-and-validation.md#feed-types: MWS's and SP-API's JSON_LISTINGS_FEED), and
 * how their reports identify messages. One table so that detection, validation and reporting agree on names.
 */
import type { FeedFormat } from './types.js';

export type XmlMessageType = 'OrderAdjustment' | 'OrderAcknowledgement' | 'OrderFulfillment' | 'Inventory';
export type FlatKind = 'adjustment' | 'cancellation' | 'fulfillment' | 'inventory-loader' | 'price-quantity';

export const JSON_LISTINGS_FEED = 'JSON_LISTINGS_FEED';
/**
 * Amazon's flat order report: not a feed anyone submits (it is not in FEED_TYPES), but a file feedproc reads
 * (`orders import`, the drop folder) and checks (`validate`, `check-folder`).
 */
export const ORDER_REPORT_TYPE = '_GET_FLAT_FILE_ORDERS_DATA_';

/** True for the order report's name, in MWS (`_GET_…_`) or SP-API (`GET_…`) spelling. */
export function isOrderReportTypeName(name: string): boolean {
  return name.replace(/^_?/, '_').replace(/_?$/, '_') === ORDER_REPORT_TYPE;
}

export interface FeedTypeInfo {
  readonly feedType: string;
  readonly format: FeedFormat;
  readonly messageType: XmlMessageType | null;
  readonly flatKind: FlatKind | null;
  /** Which identifiers the report carries: order ids, or the SKU. */
  readonly identifiedBy: 'order' | 'sku';
}

const info = (
  feedType: string,
  format: FeedFormat,
  kind: XmlMessageType | FlatKind | null,
  identifiedBy: 'order' | 'sku',
): FeedTypeInfo =>
  Object.freeze({
    feedType,
    format,
    messageType: format === 'xml' ? (kind as XmlMessageType) : null,
    flatKind: format === 'flat' ? (kind as FlatKind) : null,
    identifiedBy,
  });

export const FEED_TYPES: readonly FeedTypeInfo[] = Object.freeze([
  info('_POST_PAYMENT_ADJUSTMENT_DATA_', 'xml', 'OrderAdjustment', 'order'),
  info('_POST_ORDER_ACKNOWLEDGEMENT_DATA_', 'xml', 'OrderAcknowledgement', 'order'),
  info('_POST_ORDER_FULFILLMENT_DATA_', 'xml', 'OrderFulfillment', 'order'),
  info('_POST_INVENTORY_AVAILABILITY_DATA_', 'xml', 'Inventory', 'sku'),
  info('_POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA_', 'flat', 'adjustment', 'order'),
  info('_POST_FLAT_FILE_ORDER_ACKNOWLEDGEMENT_DATA_', 'flat', 'cancellation', 'order'),
  info('_POST_FLAT_FILE_FULFILLMENT_DATA_', 'flat', 'fulfillment', 'order'),
  info('_POST_FLAT_FILE_INVLOADER_DATA_', 'flat', 'inventory-loader', 'sku'),
  info('_POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA_', 'flat', 'price-quantity', 'sku'),
  // SP-API's listings feed: a JSON document (docs/json-listings-feed.md); its name has no underscores around it.
  info(JSON_LISTINGS_FEED, 'json', null, 'sku'),
]);

export const XML_MESSAGE_TYPES: readonly XmlMessageType[] = FEED_TYPES.flatMap((t) =>
  t.messageType ? [t.messageType] : [],
);

/** The type of that name; MWS names are also found in SP-API's spelling without the enclosing underscores. */
export function feedTypeByName(name: string): FeedTypeInfo | undefined {
  const exact = FEED_TYPES.find((t) => t.feedType === name);
  if (exact) return exact;
  const wanted = name.replace(/^_?/, '_').replace(/_?$/, '_');
  return FEED_TYPES.find((t) => t.format !== 'json' && t.feedType === wanted);
}

export function feedTypeForMessageType(messageType: string): FeedTypeInfo | undefined {
  return FEED_TYPES.find((t) => t.messageType === messageType);
}

export function feedTypeForFlatKind(kind: FlatKind): FeedTypeInfo {
  const found = FEED_TYPES.find((t) => t.flatKind === kind);
  if (!found) throw new Error(`no feed type for flat kind ${kind}`);
  return found;
}
