/** Exit codes (the table in docs/cli.md#exit-codes-and-errors). */
import type { Report } from '../core/types.js';
import { orderReportCheckOutcome, type OrderReportCheck } from '../validate/order-report-check.js';

export const EXIT = Object.freeze({
  OK: 0,
  UNEXPECTED: 1,
  USAGE: 2,
  MESSAGE_ERRORS: 3,
  REJECTED: 4,
  /** `serve`, `watch`, `worker`, `notify`: stopped at the stop bound (or a second signal) with work left for recovery. */
  ABANDONED: 5,
  /** What a read command was asked for (an order, a report, a SKU) does not exist. */
  NOT_FOUND: 6,
});

export function exitCodeForReport(report: Report): number {
  if (report.statusCode === 'Rejected') return EXIT.REJECTED;
  return report.summary.messagesWithError > 0 ? EXIT.MESSAGE_ERRORS : EXIT.OK;
}

export function exitCodeForOrderReportCheck(check: OrderReportCheck): number {
  const outcome = orderReportCheckOutcome(check);
  return outcome === 'rejected' ? EXIT.REJECTED : outcome === 'some-skipped' ? EXIT.MESSAGE_ERRORS : EXIT.OK;
}
