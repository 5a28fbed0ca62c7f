/** Exit codes of product-spec.md §4. */
import type { Report } from '../core/types.js';

export const EXIT = Object.freeze({
  OK: 0,
  UNEXPECTED: 1,
  USAGE: 2,
  MESSAGE_ERRORS: 3,
  REJECTED: 4,
  /** `serve`, `watch`, `worker`: stopped at the stop bound (or a second signal) with work left for recovery. */
  ABANDONED: 5,
});

export function exitCodeForReport(report: Report): number {
  if (report.statusCode === 'Rejected') return EXIT.REJECTED;
  return report.summary.messagesWithError > 0 ? EXIT.MESSAGE_ERRORS : EXIT.OK;
}
