/**
 * The only mapping from the ledger scripts' outcomes ("0", "-7|3|1", …; see each script's header) to the error
 * catalogue. Amounts come back in minor units and are shown as decimals of the order's currency.
 */
import type { ErrorCode } from '../core/error-codes.js';
import { formatMinorUnits } from '../core/money.js';

export interface OutcomeContext {
  merchantId: string;
  orderId: string;
  idKind: 'AmazonOrderID' | 'MerchantOrderID';
  /** The item the message names (first one), for texts that need it. */
  itemRef: string;
}

export interface LedgerProblem {
  code: ErrorCode;
  context: Record<string, unknown>;
}

/** The outcome of any script run for a feed that is already final (see ledger-prelude.lua). */
export const FEED_CLOSED = 'closed';

type Describe = (detail: string[], ctx: OutcomeContext) => LedgerProblem;

const money = (minor: string | undefined): string => formatMinorUnits(Number(minor ?? 0));

const OUTCOMES: Readonly<Record<string, Describe>> = {
  '-1': (_, ctx) => ({ code: 'LEDGER_ORDER_NOT_FOUND', context: { ...ctx } }),
  '-2': ([ref], ctx) => ({ code: 'LEDGER_ITEM_NOT_FOUND', context: { ...ctx, itemRef: ref } }),
  '-3': ([given, orderCurrency], ctx) => ({
    code: 'LEDGER_CURRENCY_MISMATCH',
    context: { ...ctx, given, orderCurrency },
  }),
  '-4': ([component, remaining, currency], ctx) => ({
    code: 'LEDGER_COMPONENT_OVER_REFUND',
    context: { ...ctx, component, remaining: money(remaining), currency },
  }),
  '-5': ([net, currency], ctx) => ({ code: 'LEDGER_NET_NOT_POSITIVE', context: { ...ctx, net: money(net), currency } }),
  '-6': ([net, remaining, currency], ctx) => ({
    code: 'LEDGER_NET_OVER_BALANCE',
    context: { ...ctx, net: money(net), remaining: money(remaining), currency },
  }),
  '-7': ([asked, open], ctx) => ({ code: 'LEDGER_OVER_CANCEL', context: { ...ctx, asked, open } }),
  '-8': ([adjId], ctx) => ({ code: 'LEDGER_DUPLICATE_ADJUSTMENT_ID', context: { ...ctx, adjId } }),
  '-9': ([ref], ctx) =>
    ref === 'order'
      ? { code: 'LEDGER_ORDER_SHIPPED', context: { ...ctx } }
      : { code: 'LEDGER_ITEM_SHIPPED', context: { ...ctx, itemRef: ref } },
  '-10': ([asked, open], ctx) => ({ code: 'LEDGER_OVER_SHIP', context: { ...ctx, asked, open } }),
  '-11': (_, ctx) => ({ code: 'LEDGER_NOTHING_TO_CANCEL', context: { ...ctx } }),
  // Not a rule's refusal: the rule raised an error on this message (apply-messages-3+n.lua stores it).
  '-12': (detail, ctx) => ({ code: 'LEDGER_MESSAGE_FAILED', context: { ...ctx, detail: detail.join('|') } }),
};

/** Null for "0" (applied); otherwise the catalogue code and the context its text needs. */
export function describeOutcome(outcome: string, ctx: OutcomeContext): LedgerProblem | null {
  if (outcome === '0') return null;
  const [code = '', ...detail] = outcome.split('|');
  const describe = OUTCOMES[code];
  if (!describe) throw new Error(`ledger script returned an unknown outcome ${outcome}`);
  return describe(detail, ctx);
}

/** Every outcome code the scripts may return; a test checks it against the scripts' headers. */
export const OUTCOME_CODES = Object.freeze(['0', ...Object.keys(OUTCOMES)]);
