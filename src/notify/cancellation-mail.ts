/**
 * The buyer's cancellation e-mail, in Polish (the default for Amazon.pl) or English: the order, each item and
 * quantity, the reason in the buyer's words, and the refund. One e-mail per cancellation request: the events one
 * message (one feed message, one "Cancel order") appended together, one per item, become one e-mail.
 */
import { formatMinorUnits } from '../core/money.js';

export interface CancellationEvent {
  /** The stream entry id: the e-mail's Message-ID is made from the first event's. */
  id: string;
  /** The feed (or `cancel:<request>`) and the message that made the event: together, the cancellation request. */
  feedId: string;
  messageId: string;
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

/** `events`: one request's events (one order, at least one), in stream order; the first names the e-mail. */
export function cancellationMail(events: readonly CancellationEvent[], order: BuyerOrder): Mail {
  const first = events[0];
  if (!first) throw new Error('a cancellation e-mail needs at least one event');
  const language = languageOf(order.marketplace);
  const reasons = [...new Set(events.map((e) => REASONS[language][e.reason] ?? OTHER_REASON[language]))];
  const refunded = events.reduce((sum, e) => sum + Number(e.refund), 0);
  const refund = `${formatMinorUnits(refunded)} ${first.currency}`;
  const messageId = `<${first.id}.${first.orderId}.${first.merchantId}@feedproc>`;
  const parts = { orderId: first.orderId, events, reason: reasons.join('; '), refund };
  return { to: order.buyerEmail, messageId, ...(language === 'pl' ? polish(parts, order) : english(parts, order)) };
}

interface MailParts {
  orderId: string;
  events: readonly CancellationEvent[];
  reason: string;
  refund: string;
}

function polish(parts: MailParts, order: BuyerOrder): { subject: string; text: string } {
  const items = parts.events.map((e) => `${e.sku} (pozycja ${e.itemCode}), liczba sztuk: ${e.units}`);
  return {
    subject: `Anulowanie w zamówieniu ${parts.orderId}`,
    text: [
      `Dzień dobry${order.buyerName ? `, ${order.buyerName}` : ''},`,
      '',
      items.length === 1
        ? `w zamówieniu ${parts.orderId} anulowano: ${items[0] ?? ''}.`
        : `w zamówieniu ${parts.orderId} anulowano:\n${items.map((line) => `- ${line}`).join('\n')}`,
      `Powód: ${parts.reason}.`,
      `Zwrot: ${parts.refund}. Pieniądze wrócą tą samą metodą płatności, zwykle w ciągu kilku dni roboczych.`,
      '',
      'Przepraszamy za kłopot.',
      '',
    ].join('\n'),
  };
}

function english(parts: MailParts, order: BuyerOrder): { subject: string; text: string } {
  const items = parts.events.map((e) => `${e.sku} (item ${e.itemCode}), quantity ${e.units}`);
  return {
    subject: `Cancellation in your order ${parts.orderId}`,
    text: [
      `Hello${order.buyerName ? ` ${order.buyerName}` : ''},`,
      '',
      items.length === 1
        ? `In your order ${parts.orderId} we cancelled: ${items[0] ?? ''}.`
        : `In your order ${parts.orderId} we cancelled:\n${items.map((line) => `- ${line}`).join('\n')}`,
      `Reason: ${parts.reason}.`,
      `Refund: ${parts.refund}, to the payment method you used, usually within a few business days.`,
      '',
      'We are sorry for the inconvenience.',
      '',
    ].join('\n'),
  };
}
