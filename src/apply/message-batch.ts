/**
 * The arguments of one `apply-messages-3+n.lua` call: the fixed keys, then every order and MerchantOrderID
 * mapping key the messages name (once each), and the messages, which point into the keys.
 */
import { componentsText, singleItemByCode, type AdjustmentCommand, type LedgerCommand } from './commands.js';
import type { LedgerKeys } from './keys.js';

/** Messages per script call: enough to spread the per-call cost, small enough to keep Redis responsive. */
export const MESSAGES_PER_CALL = 200;

/**
 * `numkeys, ...keys, feedId, at, ...messages` for the script. Each message is `key, kind, order KEYS index,
 * mapping KEYS index, n` and then its n fields: an adjustment (most of any feed) as plain fields, which Redis
 * reads far cheaper than JSON — or, when it has the commonest shape, as one packed field of the kind
 * `adjustment1` (see singleItemField); the other kinds as one JSON field.
 */
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
  const args: Array<string | number> = [feedId, at];
  for (const { key, command } of messages) {
    const packed = singleItemField(command);
    if (packed !== null) {
      args.push(key, 'adjustment1', keyIndex(orderKeyOf(command as AdjustmentCommand)), '', 1, packed);
      continue;
    }
    const fields = command.kind === 'adjustment' ? adjustmentFields(command) : [JSON.stringify(payloadOf(command))];
    if (command.kind === 'inventory') {
      args.push(key, command.kind, '', '', fields.length, ...fields);
      continue;
    }
    const mapping =
      command.kind === 'acknowledgement' && command.order.merchantOrderId
        ? keyIndex(keys.merchantOrder(command.order.merchantOrderId))
        : '';
    args.push(key, command.kind, keyIndex(orderKeyOf(command)), mapping, fields.length, ...fields);
  }
  return [scriptKeys.length, ...scriptKeys, ...args];
}

/**
 * The commonest adjustment (singleItemByCode) as one field "code|reason|quantityCancelled|currency|components",
 * which the script's shortcut for it reads with one match (lib/2-adjustment.lua): every argument costs Redis and
 * ioredis about as much as a small command. Null for any other command, and for values holding a "|" (only the
 * components, last, may), which keep the plain fields.
 */
function singleItemField(command: LedgerCommand): string | null {
  const shape = singleItemByCode(command);
  if (!shape) return null;
  const { item } = shape;
  const head = [item.code, item.reason, String(item.quantityCancelled), shape.command.currency ?? ''];
  if (head.some((value) => value.includes('|'))) return null;
  return `${head.join('|')}|${componentsText(item.components)}`;
}

/**
 * `itemCount, currency, merchantOrderId`, then per item `code, merchantItemId, reason, adjId, quantityCancelled,
 * components` with the components as "Type=minor,Type=minor" (Amazon's named types hold neither = nor ,; a free
 * DirectPayment type that does is a known gap, see README);
 * "" stands for an absent value.
 */
function adjustmentFields(command: AdjustmentCommand): Array<string | number> {
  const fields: Array<string | number> = [
    command.items.length,
    command.currency ?? '',
    command.order.merchantOrderId ?? '',
  ];
  for (const item of command.items) {
    fields.push(
      item.code ?? '',
      item.merchantItemId ?? '',
      item.reason,
      item.adjId ?? '',
      item.quantityCancelled,
      componentsText(item.components),
    );
  }
  return fields;
}

/** What each rule but the adjustment's reads from `m.p` (lib/3…5 in src/apply/lua). */
function payloadOf(command: Exclude<LedgerCommand, AdjustmentCommand>): unknown {
  switch (command.kind) {
    case 'acknowledgement':
      return {
        statusCode: command.statusCode,
        merchantOrderId: command.order.merchantOrderId,
        items: command.items,
        reason: command.reason,
        note: command.note,
        source: command.source,
      };
    case 'fulfillment': {
      const { kind: _kind, order, ...rest } = command;
      return { merchantOrderId: order.merchantOrderId, ...rest };
    }
    case 'inventory':
      return {
        operation: command.operation,
        sku: command.sku,
        fields: command.fields,
        ...(command.unset ? { unset: command.unset } : {}),
        ...(command.prices ? { prices: command.prices } : {}),
      };
  }
}
