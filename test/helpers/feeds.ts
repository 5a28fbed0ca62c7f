/** Small feed builders for tests. */
export function adjustmentMessage(id: number, extra = ''): string {
  return (
    `<Message><MessageID>${id}</MessageID><OrderAdjustment><AmazonOrderID>402-1234567-${String(id).padStart(7, '0')}</AmazonOrderID>` +
    `<AdjustedItem><AmazonOrderItemCode>${String(10000000000000 + id)}</AmazonOrderItemCode><AdjustmentReason>NoInventory</AdjustmentReason>` +
    `<ItemPriceAdjustments><Component><Type>Principal</Type><Amount currency="PLN">10.00</Amount></Component></ItemPriceAdjustments>` +
    `<QuantityCancelled>1</QuantityCancelled>${extra}</AdjustedItem></OrderAdjustment></Message>\n`
  );
}

export function xmlFeed(
  messageType: string,
  body: string,
  declaration = '<?xml version="1.0" encoding="UTF-8"?>',
): string {
  return (
    `${declaration}\n<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">\n` +
    `<Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>A1MERCHANT</MerchantIdentifier></Header>\n` +
    `<MessageType>${messageType}</MessageType>\n${body}</AmazonEnvelope>\n`
  );
}

export function adjustmentFeed(count: number): string {
  return xmlFeed('OrderAdjustment', Array.from({ length: count }, (_, i) => adjustmentMessage(i + 1)).join(''));
}

export const FLAT_ADJUSTMENT_HEADER =
  'order-id\torder-item-id\tadjustment-reason-code\tcurrency\titem-price-adj\titem-tax-adj\tquantity-cancelled';

export function flatAdjustmentRow(i: number, reason = 'NoInventory'): string {
  return `402-1234567-${String(i).padStart(7, '0')}\t${String(10000000000000 + i)}\t${reason}\tPLN\t10.00\t2.30\t1`;
}
