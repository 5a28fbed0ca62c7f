/**
 * Every ledger key is built here and only here. All keys of one merchant share the hash tag `{m:<merchant>}`,
 * so each Lua script touches a single Redis Cluster slot and the ledger can move to a cluster unchanged.
 *
 *   <prefix>:{m:<M>}:order:<AmazonOrderID>        hash    the order: `o` (totals, status, currency, flags), `i:<code>` per item
 *                                                         (units, charges, refunds, SKU), buyer details (lua/lib/1-prelude.lua)
 *   <prefix>:{m:<M>}:morder:<MerchantOrderID>     string  AmazonOrderID, set by an acknowledgement
 *   <prefix>:{m:<M>}:orders-by-purchase           zset    AmazonOrderID -> purchase date (epoch ms), for the cancel rate
 *   <prefix>:{m:<M>}:stock                        hash    SKU -> JSON (quantity, available, latency, …)
 *   <prefix>:{m:<M>}:events                       stream  one entry per cancellation (buyer e-mail)
 *   <prefix>:{m:<M>}:mail:<event id>              string  the buyer e-mail's outcome: "sent …" or "failed …"
 *   <prefix>:{m:<M>}:mail-lease:<event id>        string  the notifier sending it (expires after 30 s)
 *   <prefix>:{m:<M>}:applied:<FeedSubmissionId>   hash    message id -> outcome; exactly-once marker per message
 */
import { merchantFromKeyPart, merchantKeyPart } from '../core/merchant-id.js';

export interface LedgerKeys {
  order(orderId: string): string;
  merchantOrder(merchantOrderId: string): string;
  ordersByPurchase(): string;
  stock(): string;
  events(): string;
  mailOutcome(eventId: string): string;
  mailLease(eventId: string): string;
  applied(feedId: string): string;
}

/**
 * `<prefix>:{m:<M>}`, the root of every key of one merchant (ledger, feeds index, throttle buckets). The id is
 * escaped injectively: `{`, `}` or `:` in it can neither move the hash tag nor make two ids share a key.
 */
export function merchantTag(prefix: string, merchantId: string): string {
  return `${prefix}:{m:${merchantKeyPart(merchantId)}}`;
}

/** SCAN patterns over every merchant's ledger keys of one kind, and the merchant a found key belongs to. */
export const everyMerchantEvents = (prefix: string): string => `${prefix}:{m:*}:events`;
export const everyMerchantFeedEnds = (prefix: string): string => `${prefix}:{m:*}:feed-ends`;
export const everyMerchantOrdersByPurchase = (prefix: string): string => `${prefix}:{m:*}:orders-by-purchase`;
export function merchantOfKey(key: string): string | null {
  const part = /:\{m:([^}]*)\}:/.exec(key)?.[1];
  return part === undefined ? null : merchantFromKeyPart(part);
}

export function ledgerKeys(prefix: string, merchantId: string): LedgerKeys {
  const tag = merchantTag(prefix, merchantId);
  return Object.freeze({
    order: (orderId: string) => `${tag}:order:${orderId}`,
    merchantOrder: (merchantOrderId: string) => `${tag}:morder:${merchantOrderId}`,
    ordersByPurchase: () => `${tag}:orders-by-purchase`,
    stock: () => `${tag}:stock`,
    events: () => `${tag}:events`,
    mailOutcome: (eventId: string) => `${tag}:mail:${eventId}`,
    mailLease: (eventId: string) => `${tag}:mail-lease:${eventId}`,
    applied: (feedId: string) => `${tag}:applied:${feedId}`,
  });
}
