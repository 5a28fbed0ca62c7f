/**
 * Hand-written messages at the edges the XSDs draw, each named for the verdict it must get (`-valid-` or
 * `-invalid-`): the golden corpus records what libxml2 said of them, and the golden test checks that the
 * recorded verdict is the one the name says and that feedproc gives it too.
 */
import type { El, MessageKind } from './xsd-corpus.js';

const leaf = (n: string, t: string, a?: Record<string, string>): El => (a ? { n, t, a } : { n, t });
const message = (id: string, body: El, operation?: string): El => ({
  n: 'Message',
  c: [leaf('MessageID', id), ...(operation ? [leaf('OperationType', operation)] : []), body],
});

const ORDER = '204-5550001-7770001';
const ITEM = '60000000000017';

/** A one-item refund; `principal` is the Principal amount's text, `currency` its attribute. */
function refund(options: { id?: string; reason?: string; principal?: string; currency?: string } = {}): El {
  const principal = options.principal ?? '12.50';
  const currency = options.currency ?? 'EUR';
  return message(options.id ?? '1', {
    n: 'OrderAdjustment',
    c: [
      leaf('AmazonOrderID', ORDER),
      {
        n: 'AdjustedItem',
        c: [
          leaf('AmazonOrderItemCode', ITEM),
          leaf('AdjustmentReason', options.reason ?? 'CustomerReturn'),
          {
            n: 'ItemPriceAdjustments',
            c: [
              { n: 'Component', c: [leaf('Type', 'Shipping'), leaf('Amount', '-2.400000')] },
              { n: 'Component', c: [leaf('Type', 'Principal'), leaf('Amount', principal, { currency })] },
            ],
          },
          leaf('QuantityCancelled', '1'),
        ],
      },
    ],
  });
}

export interface NamedCase {
  name: string;
  messageType: MessageKind;
  message: El;
}

export const NAMED_CASES: readonly NamedCase[] = [
  // An amount may have any number of fraction digits when no currency is given (BaseCurrencyAmount has none).
  { name: 'case-01-valid-adjustment-six-fraction-digits.xml', messageType: 'OrderAdjustment', message: refund() },
  {
    name: 'case-02-invalid-adjustment-amount-three-fraction-digits.xml',
    messageType: 'OrderAdjustment',
    message: refund({ principal: '7.125' }),
  },
  {
    name: 'case-03-invalid-messageid-zero.xml',
    messageType: 'OrderAdjustment',
    message: refund({ id: '0' }),
  },
  {
    name: 'case-04-invalid-acknowledgement-without-amazonorderid.xml',
    messageType: 'OrderAcknowledgement',
    message: message('1', {
      n: 'OrderAcknowledgement',
      c: [leaf('MerchantOrderID', 'SO-118'), leaf('StatusCode', 'Failure')],
    }),
  },
  {
    name: 'case-05-invalid-inventory-without-quantity-available-or-lookup.xml',
    messageType: 'Inventory',
    message: message('1', { n: 'Inventory', c: [leaf('SKU', 'LAMP-7'), leaf('FulfillmentLatency', '3')] }, 'Update'),
  },
  {
    name: 'case-06-invalid-item-code-of-thirteen-digits.xml',
    messageType: 'OrderAcknowledgement',
    message: message('1', {
      n: 'OrderAcknowledgement',
      c: [
        leaf('AmazonOrderID', ORDER),
        leaf('StatusCode', 'Failure'),
        { n: 'Item', c: [leaf('AmazonOrderItemCode', '6000000000001'), leaf('CancelReason', 'NoInventory')] },
      ],
    }),
  },
  {
    name: 'case-07-invalid-adjustment-reason-not-in-the-list.xml',
    messageType: 'OrderAdjustment',
    message: refund({ reason: 'BuyerCancelled' }),
  },
  {
    name: 'case-08-invalid-inventory-negative-quantity.xml',
    messageType: 'Inventory',
    message: message('1', { n: 'Inventory', c: [leaf('SKU', 'LAMP-7'), leaf('Quantity', '-2')] }),
  },
  {
    name: 'case-09-valid-fulfillment-with-carrier-code.xml',
    messageType: 'OrderFulfillment',
    message: message('1', {
      n: 'OrderFulfillment',
      c: [
        leaf('AmazonOrderID', ORDER),
        leaf('FulfillmentDate', '2026-03-04T09:30:00+01:00'),
        { n: 'FulfillmentData', c: [leaf('CarrierCode', 'DHL'), leaf('ShipperTrackingNumber', 'JD0146000')] },
      ],
    }),
  },
  {
    name: 'case-10-invalid-fulfillment-date-without-time.xml',
    messageType: 'OrderFulfillment',
    message: message('1', {
      n: 'OrderFulfillment',
      c: [leaf('AmazonOrderID', ORDER), leaf('FulfillmentDate', '2026-03-04')],
    }),
  },
  {
    name: 'case-11-invalid-currency-code.xml',
    messageType: 'OrderAdjustment',
    message: refund({ principal: '9.5', currency: 'ZZZ' }),
  },
  // PLN and SEK are feedproc's extension of BaseCurrencyCode (the XSD copy gets them, see xmllint.ts).
  {
    name: 'case-12-valid-adjustment-in-zloty.xml',
    messageType: 'OrderAdjustment',
    message: refund({ principal: '49.99', currency: 'PLN' }),
  },
];
