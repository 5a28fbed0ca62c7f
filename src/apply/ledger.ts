/**
 * The ledger of one merchant: typed wrappers around the Lua scripts (each batch of messages is one atomic script)
 * and the read side (`order`, `inventory`). Every call is safe to repeat: applying the same (feed, message)
 * again returns the stored outcome and changes nothing.
 */
import type { ImportedItem, ImportedOrder } from '../parse/order-report.js';
import type { LedgerCommand, OrderRef } from './commands.js';
import { ledgerKeys, type LedgerKeys } from './keys.js';
import { batchArguments, MESSAGES_PER_CALL } from './message-batch.js';
import { orderFromHash } from './order-hash.js';
import { streamFields } from './stream-fields.js';
import type { LedgerRedis } from './scripts.js';

/** An order item as the ledger keeps it: what the order report said, plus what has happened to it since. */
export interface LedgerItem extends ImportedItem {
  merchantItemId?: string;
  shipped: number;
  cancelled: number;
  refunded: Record<string, string>;
}

/** An order as the ledger keeps it (one hash per order, read back by order-hash.ts). */
export interface LedgerOrder extends Omit<ImportedOrder, 'items'> {
  merchantId: string;
  merchantOrderId?: string;
  /** The note of the seller's latest own cancellation ("Cancel order"). */
  sellerNote?: string;
  status: 'Unshipped' | 'PartiallyShipped' | 'Shipped' | 'Canceled';
  items: Record<string, LedgerItem>;
}

/** A SKU's stock record: the fields of ledger-json.ts's inventoryJson, and `prices` (currency → minor units). */
export type StockRecord = Record<string, string | number | boolean | null | Record<string, string>>;

export interface CancellationRecord {
  eventId: string;
  itemCode: string;
  units: number;
  reason: string;
  source: string;
  /** `sent …`, `failed …`, or `pending` while no notifier has finished it. */
  mail: string;
}

const RECENT_EVENTS = 10_000;

export interface Ledger {
  readonly merchantId: string;
  readonly keys: LedgerKeys;
  /** Creates or refreshes an order; never undoes shipments, cancellations or refunds. */
  importOrder(order: ImportedOrder): Promise<'created' | 'updated' | 'unchanged'>;
  /** Applies one message's command once; returns the script outcome ("0" or "-code|detail"). */
  apply(feedId: string, messageId: string, command: LedgerCommand, at: string): Promise<string>;
  /**
   * Applies many messages in the given order and returns their outcomes: batches of MESSAGES_PER_CALL per
   * script call, sent back to back on one connection (Redis runs them in that order) without waiting for replies.
   */
  applyInOrder(
    feedId: string,
    messages: ReadonlyArray<{ key: string; command: LedgerCommand }>,
    at: string,
  ): Promise<string[]>;
  order(orderId: string): Promise<LedgerOrder | null>;
  /** The order's cancellations (newest first, among the merchant's latest 10,000) with their buyer e-mail outcome. */
  cancellations(orderId: string): Promise<CancellationRecord[]>;
  /** Lets the exactly-once marks of a one-off action (not a feed, which finalize-feed closes) expire. */
  expireMarks(feedId: string, ms: number): Promise<void>;
  stock(sku: string): Promise<StockRecord | null>;
}

export function createLedger(redis: LedgerRedis, prefix: string, merchantId: string): Ledger {
  const keys = ledgerKeys(prefix, merchantId);

  /** Issues the script call at once (no await before it), so calls made in a row reach Redis in that order. */
  const send = (
    feedId: string,
    messages: ReadonlyArray<{ key: string; command: LedgerCommand }>,
    at: string,
  ): Promise<string[]> =>
    redis.applyMessages(
      ...batchArguments(keys, feedId, at, messages, (command) => orderKeyOf(command.order)),
    ) as Promise<string[]>;
  const orderKeyOf = (ref: OrderRef): string =>
    keys.order(ref.amazonOrderId ?? `unmapped:${ref.merchantOrderId ?? ''}`);

  /**
   * A MerchantOrderID only names an order once an acknowledgement mapped it; commands naming one get the
   * AmazonOrderID it maps to (the scripts check the pair), unmapped ones name no order.
   */
  const resolveMerchantOrders = async (commands: readonly LedgerCommand[]): Promise<LedgerCommand[]> => {
    const needed = [
      ...new Set(
        commands.flatMap((c) =>
          c.kind !== 'inventory' && c.order.amazonOrderId === undefined ? [c.order.merchantOrderId ?? ''] : [],
        ),
      ),
    ];
    if (needed.length === 0) return [...commands];
    const found = await redis.mget(...needed.map((id) => keys.merchantOrder(id)));
    const mapped = new Map(needed.map((id, i) => [id, found[i] ?? null]));
    return commands.map((c) => {
      if (c.kind === 'inventory' || c.order.amazonOrderId !== undefined) return c;
      const amazonOrderId = mapped.get(c.order.merchantOrderId ?? '');
      return amazonOrderId ? ({ ...c, order: { ...c.order, amazonOrderId } } as LedgerCommand) : c;
    });
  };

  const ledger: Ledger = {
    merchantId,
    keys,
    async importOrder(order) {
      const purchased = order.purchaseDate === null ? NaN : Date.parse(order.purchaseDate);
      const score = Number.isNaN(purchased) ? '' : String(purchased);
      return (await redis.importOrder(
        keys.order(order.id),
        keys.ordersByPurchase(),
        JSON.stringify({ ...order, merchantId }),
        score,
      )) as 'created' | 'updated' | 'unchanged';
    },
    async apply(feedId, messageId, command, at) {
      const [outcome] = await ledger.applyInOrder(feedId, [{ key: messageId, command }], at);
      return outcome as string;
    },
    async applyInOrder(feedId, messages, at) {
      const resolved = await resolveMerchantOrders(messages.map((m) => m.command));
      const calls: Array<Promise<string[]>> = [];
      for (let first = 0; first < messages.length; first += MESSAGES_PER_CALL) {
        const batch = messages
          .slice(first, first + MESSAGES_PER_CALL)
          .map(({ key }, i) => ({ key, command: resolved[first + i] as LedgerCommand }));
        calls.push(send(feedId, batch, at));
      }
      return (await Promise.all(calls)).flat();
    },
    async order(orderId) {
      return orderFromHash(await redis.hgetall(keys.order(orderId)));
    },
    async cancellations(orderId) {
      const entries = (await redis.xrevrange(keys.events(), '+', '-', 'COUNT', RECENT_EVENTS)).map(([id, fields]) => ({
        id,
        f: streamFields(fields),
      }));
      const mine = entries.filter((e) => e.f.get('orderId') === orderId);
      const outcomes = mine.length > 0 ? await redis.mget(...mine.map((e) => keys.mailOutcome(e.id))) : [];
      return mine.map((e, i) => ({
        eventId: e.id,
        itemCode: e.f.get('itemCode') ?? '',
        units: Number(e.f.get('units') ?? 0),
        reason: e.f.get('reason') ?? '',
        source: e.f.get('source') ?? '',
        mail: outcomes[i] ?? 'pending',
      }));
    },
    async expireMarks(feedId, ms) {
      await redis.pexpire(keys.applied(feedId), ms);
    },
    async stock(sku) {
      const raw = await redis.hget(keys.stock(), sku);
      return raw === null ? null : (JSON.parse(raw) as StockRecord);
    },
  };
  return Object.freeze(ledger);
}
