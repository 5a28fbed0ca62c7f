/**
 * The arguments of one `apply-messages-3+n.lua` call: the fixed keys, then every order and MerchantOrderID
 * mapping key the messages name (once each), and the messages as one JSON array that points into the keys.
 */
import type { LedgerCommand } from './commands.js';
import type { LedgerKeys } from './keys.js';

/** Messages per script call: enough to spread the per-call cost, small enough to keep Redis responsive. */
export const MESSAGES_PER_CALL = 200;

interface ScriptMessage {
  k: string;
  kind: LedgerCommand['kind'];
  o?: number;
  x?: number;
  p: unknown;
}

/** `numkeys, ...keys, feedId, at, messages` for the script. */
export function batchArguments(
  keys: LedgerKeys,
  feedId: string,
  at: string,
  messages: ReadonlyArray<{ key: string; command: LedgerCommand }>,
  orderKeyOf: (command: Exclude<LedgerCommand, { kind: 'inventory' }>) => string,
): Array<string | number> {
  const scriptKeys = [keys.stock(), keys.applied(feedId), keys.events()];
  const index = new Map<string, number>();
  const keyIndex = (key: string): number => {
    let found = index.get(key);
    if (found === undefined) {
      scriptKeys.push(key);
      found = scriptKeys.length; // Lua's KEYS is 1-based
      index.set(key, found);
    }
    return found;
  };
  const scriptMessages = messages.map(({ key, command }): ScriptMessage => {
    if (command.kind === 'inventory') return { k: key, kind: command.kind, p: payloadOf(command) };
    const mapping = command.kind === 'acknowledgement' && command.order.merchantOrderId ? keyIndex(keys.merchantOrder(command.order.merchantOrderId)) : undefined;
    return { k: key, kind: command.kind, o: keyIndex(orderKeyOf(command)), x: mapping, p: payloadOf(command) };
  });
  return [scriptKeys.length, ...scriptKeys, feedId, at, JSON.stringify(scriptMessages)];
}

/** What each rule reads from `m.p` (lib/2…5 in src/apply/lua). */
function payloadOf(command: LedgerCommand): unknown {
  switch (command.kind) {
    case 'adjustment':
      return { merchantOrderId: command.order.merchantOrderId, currency: command.currency, items: command.items };
    case 'acknowledgement':
      return { statusCode: command.statusCode, merchantOrderId: command.order.merchantOrderId, items: command.items, reason: command.reason, note: command.note, source: command.source };
    case 'fulfillment': {
      const { kind: _kind, order, ...rest } = command;
      return { merchantOrderId: order.merchantOrderId, ...rest };
    }
    case 'inventory':
      return { operation: command.operation, sku: command.sku, fields: command.fields };
  }
}
