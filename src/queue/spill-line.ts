/**
 * One spilled message as one line of text. The commonest message (singleItemByCode in apply/commands.ts: every
 * flat row, most XML ones), when it names no MerchantOrderItemID, is written as tab-separated fields:
 *   "a", seq, MessageID, AmazonOrderID, item code, reason, QuantityCancelled, currency ("" for none),
 *   components ("Type=minor,Type=minor")
 * which is several times cheaper to write and read back than JSON; any other message, or one whose values hold a
 * tab, a newline, or (in a component) "=" or ",", is its JSON text, which starts with "{".
 */
import { componentsText, singleItemByCode, type AdjustmentCommand } from '../apply/commands.js';
import type { SpilledMessage } from './spill.js';

const COMPACT = 'a';
const UNSAFE = /[\t\n]/;

export function spillLine(message: SpilledMessage): string {
  return compactLine(message) ?? JSON.stringify(message);
}

export function parseSpillLine(line: string): SpilledMessage {
  if (!line.startsWith(`${COMPACT}\t`)) return JSON.parse(line) as SpilledMessage;
  const [, seq, messageId, amazonOrderId, code, reason, quantity, currency, components] = line.split('\t') as string[];
  const command: AdjustmentCommand = {
    kind: 'adjustment',
    order: { amazonOrderId: amazonOrderId as string },
    ...(currency ? { currency } : {}),
    items: [
      {
        code: code as string,
        reason: reason as string,
        components: componentsOf(components as string),
        quantityCancelled: Number(quantity),
      },
    ],
  };
  return { seq: Number(seq), messageId: messageId as string, command };
}

function compactLine({ seq, messageId, command }: SpilledMessage): string | null {
  const shape = singleItemByCode(command);
  if (!shape) return null;
  const { item } = shape;
  const order = shape.command.order.amazonOrderId;
  const currency = shape.command.currency;
  // The line carries neither a MerchantOrderItemID nor an empty currency (which reads back as none).
  if (order === undefined || item.merchantItemId !== undefined || !Number.isSafeInteger(item.quantityCancelled))
    return null;
  if (currency === '' || item.components.some((c) => unsafeInComponent(c.type) || unsafeInComponent(c.amount)))
    return null;
  // Every other field must be free of tabs and newlines: one test of them all.
  if (UNSAFE.test(messageId + order + item.code + item.reason + (currency ?? ''))) return null;
  return `${COMPACT}\t${seq}\t${messageId}\t${order}\t${item.code}\t${item.reason}\t${item.quantityCancelled}\t${currency ?? ''}\t${componentsText(item.components)}`;
}

function unsafeInComponent(text: string): boolean {
  return text.includes('=') || text.includes(',') || text.includes('\t') || text.includes('\n');
}

function componentsOf(text: string): Array<{ type: string; amount: string }> {
  if (text === '') return [];
  return text.split(',').map((pair) => {
    const at = pair.indexOf('=');
    return { type: pair.slice(0, at), amount: pair.slice(at + 1) };
  });
}
