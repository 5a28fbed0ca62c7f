/**
 * The buyer's cancellation e-mail, in Polish (the default for Amazon.pl) or English: the order, the item and
 * quantity, the reason in the buyer's words, and the refund. One e-mail per cancellation event.
 */
import { formatMinorUnits } from '../core/money.js';

export interface CancellationEvent {
  /** The stream entry id: the e-mail's Message-ID is made from it. */
  id: string;
  merchantId: string;
  orderId: string;
  itemCode: string;
  sku: string;
  units: number;
  reason: string;
  refund: string;
  currency: string;
}

export interface BuyerOrder {
  buyerEmail: string;
  buyerName: string | null;
  marketplace: string | null;
}

export interface Mail {
  to: string;
  subject: string;
  text: string;
  messageId: string;
}

type Language = 'pl' | 'en';

/** Polish for the Polish marketplace, English for every other. */
export function languageOf(marketplace: string | null): Language {
  return marketplace !== null && /(^|\.)amazon\.pl$/i.test(marketplace.trim()) ? 'pl' : 'en';
}

const REASONS: Readonly<Record<Language, Readonly<Record<string, string>>>> = {
  pl: {
    NoInventory: 'sprzedawca nie ma już tego produktu na stanie',
    BuyerCanceled: 'anulowanie na Twoją prośbę',
    CustomerCancel: 'anulowanie na Twoją prośbę',
    ShippingAddressUndeliverable: 'nie możemy dostarczyć przesyłki na podany adres',
    CustomerExchange: 'wymiana produktu',
    PricingError: 'błąd w cenie produktu',
    WeatherDelay: 'opóźnienie spowodowane pogodą',
  },
  en: {
    NoInventory: 'the seller no longer has this item in stock',
    BuyerCanceled: 'you asked us to cancel it',
    CustomerCancel: 'you asked us to cancel it',
    ShippingAddressUndeliverable: 'we cannot deliver to the address given',
    CustomerExchange: 'the item is being exchanged',
    PricingError: 'the item was listed at a wrong price',
    WeatherDelay: 'a delay caused by the weather',
  },
};
const OTHER_REASON: Readonly<Record<Language, string>> = {
  pl: 'sprzedawca nie może zrealizować tej pozycji',
  en: 'the seller cannot fulfil this item',
};

export function cancellationMail(event: CancellationEvent, order: BuyerOrder): Mail {
  const language = languageOf(order.marketplace);
  const reason = REASONS[language][event.reason] ?? OTHER_REASON[language];
  const refund = `${formatMinorUnits(Number(event.refund))} ${event.currency}`;
  const messageId = `<${event.id}.${event.orderId}.${event.merchantId}@feedproc>`;
  return {
    to: order.buyerEmail,
    messageId,
    ...(language === 'pl' ? polish(event, order, reason, refund) : english(event, order, reason, refund)),
  };
}

function polish(
  event: CancellationEvent,
  order: BuyerOrder,
  reason: string,
  refund: string,
): { subject: string; text: string } {
  return {
    subject: `Anulowanie w zamówieniu ${event.orderId}`,
    text: [
      `Dzień dobry${order.buyerName ? `, ${order.buyerName}` : ''},`,
      '',
      `w zamówieniu ${event.orderId} anulowano: ${event.sku} (pozycja ${event.itemCode}), liczba sztuk: ${event.units}.`,
      `Powód: ${reason}.`,
      `Zwrot: ${refund}. Pieniądze wrócą tą samą metodą płatności, zwykle w ciągu kilku dni roboczych.`,
      '',
      'Przepraszamy za kłopot.',
      '',
    ].join('\n'),
  };
}

function english(
  event: CancellationEvent,
  order: BuyerOrder,
  reason: string,
  refund: string,
): { subject: string; text: string } {
  return {
    subject: `Cancellation in your order ${event.orderId}`,
    text: [
      `Hello${order.buyerName ? ` ${order.buyerName}` : ''},`,
      '',
      `In your order ${event.orderId} we cancelled: ${event.sku} (item ${event.itemCode}), quantity ${event.units}.`,
      `Reason: ${reason}.`,
      `Refund: ${refund}, to the payment method you used, usually within a few business days.`,
      '',
      'We are sorry for the inconvenience.',
      '',
    ].join('\n'),
  };
}
