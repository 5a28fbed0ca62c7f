/**
 * The identifiers a report result carries (AdditionalInfo). Only schema-valid values are copied, so the
 * report itself always validates against ProcessingReport.xsd.
 */
import type { AdditionalInfo } from '../core/types.js';
import { textAt, type XmlNode } from '../parse/xml-node.js';

const ORDER_ID = /^[^\p{P}\p{Z}\p{C}]{3}-[^\p{P}\p{Z}\p{C}]{7}-[^\p{P}\p{Z}\p{C}]{7}$/u;
const ITEM_CODE = /^\p{Nd}{14}$/u;

export function additionalInfoOf(body: XmlNode | undefined): AdditionalInfo {
  if (!body) return {};
  const item = body.children.find((c) => c.name === 'AdjustedItem' || c.name === 'Item');
  return identifiers(
    textAt(body, ['AmazonOrderID']),
    item && textAt(item, ['AmazonOrderItemCode']),
    body.name === 'Inventory' ? textAt(body, ['SKU']) : undefined,
  );
}

export function identifiers(orderId?: string, itemCode?: string, sku?: string): AdditionalInfo {
  const info: AdditionalInfo = {};
  if (orderId !== undefined && ORDER_ID.test(orderId)) info.amazonOrderId = orderId;
  if (itemCode !== undefined && ITEM_CODE.test(itemCode)) info.amazonOrderItemCode = itemCode;
  if (sku !== undefined && isSku(sku)) info.sku = sku;
  return info;
}

function isSku(sku: string): boolean {
  const length = [...sku].length;
  return length >= 1 && length <= 40;
}
