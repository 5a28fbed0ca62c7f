/**
 * `cancel-order ID --reason R [--note TEXT] [--item CODE[:QTY]]…` and `cancel-orders FILE`: the seller's
 * "Cancel order", one order or a file of them (lines `order-id[<TAB>reason[<TAB>note]]`, one result per line).
 * A line's request id comes from the file's content and the line number, so running the same file again
 * cancels nothing twice.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { cancelOrderWithResult, type CancelRequest, type OrderCancelResult } from '../../apply/cancel-order.js';
import { createLedger, type Ledger } from '../../apply/ledger.js';
import { isCancelReason, CANCEL_REASONS } from '../../core/cancel-reasons.js';
import type { Config } from '../../core/config.js';
import { FeedError } from '../../core/errors.js';
import type { SchemaRegistry } from '../../validate/index.js';
import { EXIT } from '../exit-codes.js';
import { openRuntime } from '../runtime.js';
import { requireMerchant } from './pipeline.js';

type CancelResult = OrderCancelResult & { line?: number };

export async function runCancelOrder(
  config: Config,
  schemas: SchemaRegistry,
  args: { orderId: string; reason: string; note?: string; items: string[]; json: boolean },
  out: NodeJS.WritableStream,
): Promise<number> {
  const request: CancelRequest = {
    orderId: args.orderId,
    reason: requireReason(args.reason),
    note: args.note,
    items: args.items.map(parseItem),
  };
  const result = await withLedger(config, schemas, (ledger) => applyOne(ledger, request));
  out.write(args.json ? `${JSON.stringify(result)}\n` : `${resultLine(result)}\n`);
  return result.result === 'Cancelled' ? EXIT.OK : EXIT.MESSAGE_ERRORS;
}

export async function runCancelOrders(
  config: Config,
  schemas: SchemaRegistry,
  args: { file: string; reason?: string; json: boolean },
  out: NodeJS.WritableStream,
): Promise<number> {
  const content = await readFile(args.file).catch((err: unknown) => {
    throw new FeedError('CLI_FILE_UNREADABLE', {
      path: args.file,
      detail: err instanceof Error ? err.message : String(err),
    });
  });
  const fileId = createHash('sha256').update(content).digest('hex').slice(0, 32);
  const defaultReason = args.reason === undefined ? undefined : requireReason(args.reason);
  const results = await withLedger(config, schemas, async (ledger) => {
    const all: CancelResult[] = [];
    for (const [index, text] of content
      .toString('utf8')
      .split(/\r\n|\n|\r/)
      .entries()) {
      const [orderId = '', reason = defaultReason ?? '', note] = text.split('\t').map((cell) => cell.trim());
      if (orderId === '' || orderId.startsWith('#') || (index === 0 && orderId === 'order-id')) continue;
      const line = index + 1;
      if (!isCancelReason(reason)) {
        all.push({
          line,
          amazonOrderId: orderId,
          result: 'Refused',
          resultMessageCode: null,
          description: reasonProblem(reason),
        });
        continue;
      }
      all.push({
        line,
        ...(await applyOne(ledger, {
          orderId,
          reason,
          note: note || undefined,
          items: [],
          requestId: `${fileId}:${line}`,
        })),
      });
    }
    return all;
  });
  out.write(
    args.json
      ? `${JSON.stringify(results, null, 2)}\n`
      : results.map((r) => `line ${String(r.line)}: ${resultLine(r)}\n`).join(''),
  );
  return results.every((r) => r.result === 'Cancelled') ? EXIT.OK : EXIT.MESSAGE_ERRORS;
}

async function applyOne(ledger: Ledger, request: CancelRequest): Promise<CancelResult> {
  return cancelOrderWithResult(ledger, request, new Date().toISOString());
}

function resultLine(r: CancelResult): string {
  return r.result === 'Cancelled'
    ? `${r.amazonOrderId}: cancelled`
    : `${r.amazonOrderId}: refused: ${r.description ?? ''}`;
}

async function withLedger<T>(config: Config, schemas: SchemaRegistry, use: (ledger: Ledger) => Promise<T>): Promise<T> {
  const merchantId = requireMerchant(config);
  const runtime = await openRuntime(config, schemas, { workers: false, readOnly: true });
  try {
    return await use(createLedger(runtime.deps.redis, config.prefix, merchantId));
  } finally {
    await runtime.close();
  }
}

function requireReason(reason: string): (typeof CANCEL_REASONS)[number] {
  if (!isCancelReason(reason)) throw new FeedError('CLI_USAGE', { detail: reasonProblem(reason) });
  return reason;
}

function reasonProblem(reason: string): string {
  return `${reason === '' ? 'no cancel reason' : `unknown cancel reason ${reason}`}; one of ${CANCEL_REASONS.join(', ')}`;
}

/** CODE or CODE:QTY. */
function parseItem(text: string): { code: string; quantity?: number } {
  const match = /^(\d{14})(?::([1-9]\d{0,5}))?$/.exec(text);
  if (!match)
    throw new FeedError('CLI_USAGE', {
      detail: `--item must be a 14-digit AmazonOrderItemCode, optionally :QUANTITY, not ${text}`,
    });
  return match[2] === undefined
    ? { code: match[1] as string }
    : { code: match[1] as string, quantity: Number(match[2]) };
}
