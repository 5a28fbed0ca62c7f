/**
 * The seller's "Cancel order" (Manage Orders): the whole order or listed items / quantities, with a reason from
 * the acknowledgement CancelReason list and an optional note. One application function for the CLI now and
 * the API and web page later. It is an acknowledgement Failure applied by the seller: the same refusals (shipped
 * items, more than is open), stock rules and cancellation events, with the note kept on the order.
 */
import { randomUUID } from 'node:crypto';
import type { CancelReason } from '../core/cancel-reasons.js';
import { ERROR_CODES, formatErrorText } from '../core/error-codes.js';
import type { AcknowledgementCommand } from './commands.js';
import type { Ledger } from './ledger.js';
import { describeOutcome } from './script-codes.js';

/** What the CLI, the JSON API and the web page tell the seller. */
export interface OrderCancelResult {
  amazonOrderId: string;
  result: 'Cancelled' | 'Refused';
  resultMessageCode?: number | null;
  description?: string;
}

export interface CancelRequest {
  orderId: string;
  reason: CancelReason;
  note?: string | undefined;
  /** Empty: the whole order. A quantity cancels that many units of the item, none: all its open units. */
  items: ReadonlyArray<{ code: string; quantity?: number | undefined }>;
  /** Makes a retried request (a timed-out HTTP call, a re-run line) apply once; a fresh id when absent. */
  requestId?: string | undefined;
}

/** How long the exactly-once mark of a request is kept, for retries of the same request id. */
const REQUEST_MARK_MS = 7 * 24 * 3600 * 1000;

/** Returns the ledger outcome: "0" when cancelled, otherwise the refusal (see script-codes.ts). */
export async function cancelOrder(ledger: Ledger, request: CancelRequest, at: string): Promise<string> {
  const command: AcknowledgementCommand = {
    kind: 'acknowledgement',
    order: { amazonOrderId: request.orderId },
    statusCode: 'Failure',
    items: request.items.map((item) => ({
      code: item.code,
      reason: request.reason,
      ...(item.quantity === undefined ? {} : { quantity: item.quantity }),
    })),
    reason: request.reason,
    ...(request.note ? { note: request.note } : {}),
    source: 'seller',
  };
  const feedId = `cancel:${request.requestId ?? randomUUID()}`;
  const outcome = await ledger.apply(feedId, '1', command, at);
  await ledger.expireMarks(feedId, REQUEST_MARK_MS);
  return outcome;
}

/** cancelOrder, with a refusal described in the catalogue's words. */
export async function cancelOrderWithResult(
  ledger: Ledger,
  request: CancelRequest,
  at: string,
): Promise<OrderCancelResult> {
  const outcome = await cancelOrder(ledger, request, at);
  const ref = request.items[0]?.code ?? '';
  const problem = describeOutcome(outcome, {
    merchantId: ledger.merchantId,
    orderId: request.orderId,
    idKind: 'AmazonOrderID',
    itemRef: ref,
  });
  if (!problem) return { amazonOrderId: request.orderId, result: 'Cancelled' };
  return {
    amazonOrderId: request.orderId,
    result: 'Refused',
    resultMessageCode: ERROR_CODES[problem.code].resultMessageCode,
    description: formatErrorText(problem.code, problem.context),
  };
}
