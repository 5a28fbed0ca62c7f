/**
 * A seeded generator of MWS messages for the libxml2 agreement test: valid messages of the four types feedproc
 * reads, and mutations of them (element order, enumerations, patterns, lengths, choices, decimals, missing and
 * unknown elements, attributes, text and nesting). Verdicts are not decided here: xmllint is the oracle.
 */
export interface El {
  n: string;
  t?: string;
  a?: Record<string, string>;
  c?: El[];
}

export type MessageKind = 'OrderAdjustment' | 'OrderAcknowledgement' | 'OrderFulfillment' | 'Inventory';

/** Small deterministic PRNG (mulberry32) so the corpus is the same on every run. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(r: Rng, list: readonly T[]): T => list[Math.floor(r() * list.length)] as T;
const maybe = (r: Rng, p = 0.5): boolean => r() < p;
const times = (r: Rng, min: number, max: number): number => min + Math.floor(r() * (max - min + 1));
const leaf = (n: string, t: string, a?: Record<string, string>): El => (a ? { n, t, a } : { n, t });
const digits = (r: Rng, count: number): string =>
  Array.from({ length: count }, () => String(Math.floor(r() * 10))).join('');
const orderId = (r: Rng): string => `${digits(r, 3)}-${digits(r, 7)}-${digits(r, 7)}`;

const REASONS = ['NoInventory', 'CustomerReturn', 'CustomerCancel', 'GeneralAdjustment', 'CouldNotShip', 'Other'];
const COMPONENTS = ['Principal', 'Tax', 'Shipping', 'ShippingTax', 'RestockingFee', 'Goodwill', 'GiftWrap'];
const CANCEL = ['NoInventory', 'BuyerCanceled', 'ShippingAddressUndeliverable', 'PricingError', 'WeatherDelay'];
const CURRENCIES = ['PLN', 'EUR', 'USD', 'SEK', 'GBP'];

function amount(r: Rng): El {
  const value = pick(r, ['10.00', '6.90', '-3.90', '0.5', '25', '-3.900000', '1999.99']);
  return maybe(r, 0.7) ? leaf('Amount', value, { currency: pick(r, CURRENCIES) }) : leaf('Amount', value);
}

function adjustment(r: Rng): El {
  const items = Array.from({ length: times(r, 1, 3) }, (): El => {
    const c: El[] = [
      maybe(r, 0.8) ? leaf('AmazonOrderItemCode', digits(r, 14)) : leaf('MerchantOrderItemID', `line-${digits(r, 3)}`),
    ];
    if (maybe(r, 0.3)) c.push(leaf('MerchantAdjustmentItemID', `adj-${digits(r, 4)}`));
    c.push(leaf('AdjustmentReason', pick(r, REASONS)));
    if (maybe(r, 0.8)) {
      c.push({
        n: 'ItemPriceAdjustments',
        c: Array.from({ length: times(r, 1, 3) }, () => ({
          n: 'Component',
          c: [leaf('Type', pick(r, COMPONENTS)), amount(r)],
        })),
      });
    }
    if (maybe(r, 0.2)) {
      const promo: El[] = [];
      if (maybe(r)) promo.push(leaf('PromotionClaimCode', 'SPRING26'));
      if (maybe(r)) promo.push(leaf('MerchantPromotionID', 'promo-1'));
      promo.push({ n: 'Component', c: [leaf('Type', pick(r, ['Principal', 'Shipping'])), amount(r)] });
      c.push({ n: 'PromotionAdjustments', c: promo });
    }
    if (maybe(r, 0.1))
      c.push({ n: 'DirectPaymentAdjustments', c: [{ n: 'Component', c: [leaf('Type', 'Cash'), amount(r)] }] });
    if (maybe(r, 0.5)) c.push(leaf('QuantityCancelled', String(times(r, 1, 3))));
    if (maybe(r, 0.3)) c.push(leaf('Quantity', String(times(r, 1, 3))));
    return { n: 'AdjustedItem', c };
  });
  const head: El[] = [
    maybe(r, 0.85) ? leaf('AmazonOrderID', orderId(r)) : leaf('MerchantOrderID', `SO-${digits(r, 5)}`),
  ];
  if (maybe(r, 0.4)) head.push(leaf('ActionType', pick(r, ['Refund', 'Cancel'])));
  if (maybe(r, 0.1)) head.push(leaf('CODCollectionMethod', 'DirectPayment'));
  return { n: 'OrderAdjustment', c: [...head, ...items] };
}

function acknowledgement(r: Rng): El {
  const c: El[] = [leaf('AmazonOrderID', orderId(r))];
  if (maybe(r, 0.4)) c.push(leaf('MerchantOrderID', `SO-${digits(r, 5)}`));
  c.push(leaf('StatusCode', pick(r, ['Success', 'Failure'])));
  for (let i = times(r, 0, 3); i > 0; i -= 1) {
    const item: El[] = [leaf('AmazonOrderItemCode', digits(r, 14))];
    if (maybe(r, 0.3)) item.push(leaf('MerchantOrderItemID', `line-${i}`));
    if (maybe(r, 0.6)) item.push(leaf('CancelReason', pick(r, CANCEL)));
    if (maybe(r, 0.4)) item.push(leaf('Quantity', String(times(r, 1, 4))));
    c.push({ n: 'Item', c: item });
  }
  return { n: 'OrderAcknowledgement', c };
}

function fulfillment(r: Rng): El {
  const c: El[] = [maybe(r, 0.85) ? leaf('AmazonOrderID', orderId(r)) : leaf('MerchantOrderID', `SO-${digits(r, 5)}`)];
  if (maybe(r, 0.3)) c.push(leaf('MerchantFulfillmentID', digits(r, 6)));
  c.push(
    leaf(
      'FulfillmentDate',
      pick(r, ['2026-11-20T10:15:00+01:00', '2026-11-21T08:00:00Z', '2026-11-22T23:59:59.5-08:00']),
    ),
  );
  if (maybe(r, 0.7)) {
    const data: El[] = [
      maybe(r, 0.7)
        ? leaf('CarrierCode', pick(r, ['DPD', 'Royal Mail', 'GO!', 'AFL/Fedex', 'UPS']))
        : leaf('CarrierName', 'InPost'),
    ];
    if (maybe(r)) data.push(leaf('ShippingMethod', 'Standard'));
    if (maybe(r)) data.push(leaf('ShipperTrackingNumber', `TRK${digits(r, 10)}`));
    c.push({ n: 'FulfillmentData', c: data });
  }
  if (maybe(r, 0.1)) c.push(leaf('CODCollectionMethod', 'DirectPayment'));
  for (let i = times(r, 0, 3); i > 0; i -= 1) {
    const item: El[] = [
      maybe(r, 0.8) ? leaf('AmazonOrderItemCode', digits(r, 14)) : leaf('MerchantOrderItemID', `line-${i}`),
    ];
    if (maybe(r, 0.2)) item.push(leaf('MerchantFulfillmentItemID', String(i)));
    if (maybe(r, 0.6)) item.push(leaf('Quantity', String(times(r, 1, 5))));
    for (let t = times(r, 0, 2); t > 0; t -= 1) item.push(leaf('TransparencyCode', `AZ:${digits(r, 8)}`));
    c.push({ n: 'Item', c: item });
  }
  return { n: 'OrderFulfillment', c };
}

function inventory(r: Rng): El {
  const c: El[] = [leaf('SKU', pick(r, ['KUBEK-ŻÓŁW-01', 'sku 12', 'A', 'x'.repeat(40)]))];
  if (maybe(r, 0.3)) c.push(leaf('FulfillmentCenterID', 'DEFAULT'));
  const choice = pick(r, ['Quantity', 'Available', 'Lookup']);
  c.push(
    choice === 'Quantity'
      ? leaf('Quantity', String(times(r, 0, 50)))
      : choice === 'Available'
        ? leaf('Available', pick(r, ['true', 'false', '1', '0']))
        : leaf('Lookup', 'FulfillmentNetwork'),
  );
  if (maybe(r, 0.3)) c.push(leaf('RestockDate', pick(r, ['2026-12-01', '2027-01-15Z'])));
  if (maybe(r, 0.5)) c.push(leaf('FulfillmentLatency', String(times(r, 1, 5))));
  if (maybe(r, 0.1)) c.push(leaf('SwitchFulfillmentTo', pick(r, ['MFN', 'AFN'])));
  return { n: 'Inventory', c };
}

const BODIES: Readonly<Record<MessageKind, (r: Rng) => El>> = {
  OrderAdjustment: adjustment,
  OrderAcknowledgement: acknowledgement,
  OrderFulfillment: fulfillment,
  Inventory: inventory,
};

export function validMessage(r: Rng, kind: MessageKind, id: number): El {
  const c: El[] = [leaf('MessageID', String(id))];
  if (maybe(r, kind === 'Inventory' ? 0.6 : 0.1))
    c.push(leaf('OperationType', pick(r, ['Update', 'PartialUpdate', 'Delete'])));
  c.push(BODIES[kind](r));
  return { n: 'Message', c };
}

/** Tricky values per element name: some valid, some not. */
const VALUES: Readonly<Record<string, readonly string[]>> = {
  MessageID: ['0', '+1', ' 12 ', '007', '-1', '1.0', '123456789012345678901', 'x'],
  AmazonOrderID: [
    '1231234567-1234567',
    '123-123456-1234567',
    ' 123-1234567-1234567',
    'ABC-DEFGHIJ-KLMNOPQ',
    '12_-1234567-1234567',
    '123-1234567-1234567 ',
  ],
  AmazonOrderItemCode: ['1234567890123', '123456789012345', '1234567890123a', ' 12345678901234', '١٢٣٤٥٦٧٨٩٠١٢٣٤'],
  AdjustmentReason: ['BuyerCancelled', 'noinventory', 'ProductOutOfStock', ' NoInventory', 'CustomerCancel'],
  Type: ['CODFee', 'principal', 'Shipping', 'GiftWrapTax', 'Discount'],
  Amount: [
    '1.234',
    '1,50',
    '1e3',
    '-3.900000',
    '0012.10',
    ' 5 ',
    '.5',
    '5.',
    '',
    '123456789012345678901',
    '+7.25',
    'NaN',
  ],
  QuantityCancelled: ['0', '-1', '1.0', '+3', ' 2 ', '', 'two', '99999999999999999999999'],
  Quantity: ['0', '-5', '-0', '+3', '3.5', ' 4 ', ''],
  StatusCode: ['Failed', 'success', 'Failure', ''],
  CancelReason: ['BuyerCancelled', 'WeatherDelay', 'CustomerCancel', 'OutOfStock'],
  FulfillmentDate: [
    '2024-01-02',
    '2026-02-30T10:00:00',
    '2026-01-01T10:00:00+15:00',
    '2026-01-01T24:00:00',
    '2026-01-01T10:00:00Z',
    '2026-01-01 10:00:00',
    '2026-13-01T00:00:00',
  ],
  RestockDate: ['2026-13-01', '2026-01-01Z', '2026-1-1', '2024-02-29', '2025-02-29'],
  Available: ['yes', 'TRUE', '1', ' true '],
  SKU: ['', 'x'.repeat(41), ' padded ', 'tab\there'],
  MerchantOrderID: ['x'.repeat(51), '', 'ZAM/2026/11/001'],
  CarrierCode: ['InPost', 'dpd', 'Royal Mail', 'GO!', 'Fastway'],
  CarrierName: ['x'.repeat(51), 'Poczta Polska'],
  PromotionClaimCode: ['ABC', 'ABCDEFGHIJKLM', 'SPRING'],
  FulfillmentLatency: ['0', '3', '-2'],
  Lookup: ['FulfillmentNetwork', 'Network'],
  OperationType: ['Update', 'Insert', 'delete'],
  ActionType: ['Refund', 'Return'],
  MerchantFulfillmentID: ['0', 'abc', '12'],
  TransparencyCode: ['', 'AZ:1'],
  SwitchFulfillmentTo: ['FBA', 'AFN'],
};

type Mutation = (r: Rng, m: El) => string;

function nodes(root: El, test: (e: El) => boolean, out: El[] = []): El[] {
  if (test(root)) out.push(root);
  for (const child of root.c ?? []) nodes(child, test, out);
  return out;
}
const isLeaf = (e: El): boolean => !e.c;
const isComplex = (e: El): boolean => Boolean(e.c && e.c.length > 0);

const MUTATIONS: Readonly<Record<string, Mutation>> = {
  swapSiblings(r, m) {
    const parent = pick(
      r,
      nodes(m, (e) => (e.c?.length ?? 0) >= 2),
    );
    const c = parent.c as El[];
    const i = Math.floor(r() * (c.length - 1));
    [c[i], c[i + 1]] = [c[i + 1] as El, c[i] as El];
    return `swap children ${i},${i + 1} of ${parent.n}`;
  },
  removeChild(r, m) {
    const parent = pick(r, nodes(m, isComplex));
    const i = Math.floor(r() * (parent.c as El[]).length);
    const [gone] = (parent.c as El[]).splice(i, 1);
    if ((parent.c as El[]).length === 0) delete parent.c;
    return `remove ${gone?.n} from ${parent.n}`;
  },
  insertUnknown(r, m) {
    const parent = pick(r, nodes(m, isComplex));
    const c = parent.c as El[];
    c.splice(Math.floor(r() * (c.length + 1)), 0, leaf(pick(r, ['Unknown', 'sku', 'Note', 'Quantity']), '1'));
    return `insert unknown into ${parent.n}`;
  },
  duplicateChild(r, m) {
    const parent = pick(r, nodes(m, isComplex));
    const c = parent.c as El[];
    const i = Math.floor(r() * c.length);
    c.splice(i + 1, 0, structuredClone(c[i] as El));
    return `duplicate ${c[i]?.n} in ${parent.n}`;
  },
  changeValue(r, m) {
    const candidates = nodes(m, (e) => isLeaf(e) && VALUES[e.n] !== undefined);
    const target = pick(r, candidates.length ? candidates : nodes(m, isLeaf));
    target.t = pick(r, VALUES[target.n] ?? ['', ' ', 'x'.repeat(60)]);
    return `value of ${target.n} := ${JSON.stringify(target.t)}`;
  },
  changeAttribute(r, m) {
    const amounts = nodes(m, (e) => e.n === 'Amount');
    const target =
      amounts.length && maybe(r, 0.7)
        ? pick(r, amounts)
        : pick(
            r,
            nodes(m, () => true),
          );
    const [name, value] =
      target.n === 'Amount'
        ? pick(r, [
            ['currency', 'XXX'],
            ['currency', 'pln'],
            ['currency', 'PLN'],
            ['currency', ''],
            ['unit', 'x'],
          ] as const)
        : (['flag', 'yes'] as const);
    target.a = { ...target.a, [name]: value };
    return `attribute ${name}=${value} on ${target.n}`;
  },
  textInComplex(r, m) {
    const target = pick(r, nodes(m, isComplex));
    target.t = pick(r, ['stray', ' \n ']);
    return `text ${JSON.stringify(target.t)} in ${target.n}`;
  },
  childInLeaf(r, m) {
    const target = pick(r, nodes(m, isLeaf));
    target.c = [leaf('b', 'x')];
    delete target.t;
    return `child element inside ${target.n}`;
  },
  renameCase(r, m) {
    const target = pick(
      r,
      nodes(m, (e) => e.n !== 'Message'),
    );
    target.n = target.n.toLowerCase();
    return `rename to ${target.n}`;
  },
};

export const MUTATION_KINDS = Object.keys(MUTATIONS);

/** Applies one random mutation; returns its kind and what exactly it did. */
export function mutate(r: Rng, message: El): { kind: string; what: string } {
  const kind = pick(r, MUTATION_KINDS);
  return { kind, what: (MUTATIONS[kind] as Mutation)(r, message) };
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One element per line, so that every element has a line of its own for libxml2 to report. */
export function serialize(e: El, indent = ''): string {
  const attrs = Object.entries(e.a ?? {})
    .map(([k, v]) => ` ${k}="${esc(v)}"`)
    .join('');
  if (!e.c) return `${indent}<${e.n}${attrs}>${esc(e.t ?? '')}</${e.n}>\n`;
  const inner = e.c.map((child) => serialize(child, `${indent}  `)).join('');
  return `${indent}<${e.n}${attrs}>${e.t ? esc(e.t) : ''}\n${inner}${indent}</${e.n}>\n`;
}

export function envelope(messageType: MessageKind, messages: readonly El[]): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">\n' +
    '<Header>\n<DocumentVersion>1.01</DocumentVersion>\n<MerchantIdentifier>A1MERCHANT</MerchantIdentifier>\n</Header>\n' +
    `<MessageType>${messageType}</MessageType>\n` +
    messages.map((m) => serialize(m)).join('') +
    '</AmazonEnvelope>\n'
  );
}
