/**
 * `validate` and `check-folder` for Amazon's order report (`_GET_FLAT_FILE_ORDERS_DATA_`): the file is read
 * exactly as `orders import` and the drop folder read it, without Redis, and the check says what an import
 * would load (orders, items) and which rows it would skip. An order report is not a feed, so its check is not a
 * ProcessingReport: it is text for people or JSON for scripts.
 */
import { ORDER_REPORT_TYPE } from '../core/feed-types.js';
import { readOrderReport } from '../parse/order-report.js';

export interface OrderReportCheck {
  feedType: typeof ORDER_REPORT_TYPE;
  file: string;
  encoding: string;
  /** Required columns the header lacks: the file cannot be imported at all. */
  missingColumns: string[];
  orders: number;
  items: number;
  skipped: Array<{ line: number; reason: string }>;
}

export async function checkOrderReport(path: string, fileName: string): Promise<OrderReportCheck> {
  const report = await readOrderReport(path);
  return {
    feedType: ORDER_REPORT_TYPE,
    file: fileName,
    encoding: report.encoding,
    missingColumns: report.missing,
    orders: report.orders.length,
    items: report.orders.reduce((sum, order) => sum + order.itemOrder.length, 0),
    skipped: report.skipped,
  };
}

/** The check for people: one summary line, then one line per skipped row (`file:line: skipped: why`). */
export function orderReportCheckText(check: OrderReportCheck): string {
  const head = `${check.file}: Amazon order report (${check.feedType}, ${check.encoding})`;
  if (check.missingColumns.length > 0) return `${head}: not importable: no ${check.missingColumns.join(', ')} column\n`;
  const lines = [
    `${head}: ${check.orders} orders, ${check.items} items would be imported; ${check.skipped.length} rows skipped`,
    ...check.skipped.map((s) => `${check.file}:${s.line}: skipped: ${s.reason}`),
  ];
  return `${lines.join('\n')}\n`;
}

export function orderReportCheckJson(check: OrderReportCheck): string {
  return `${JSON.stringify(check, null, 2)}\n`;
}

/** 0 all rows usable, 3 some rows skipped, 4 not importable (the exit codes of a feed's report). */
export function orderReportCheckOutcome(check: OrderReportCheck): 'clean' | 'some-skipped' | 'rejected' {
  if (check.missingColumns.length > 0) return 'rejected';
  return check.skipped.length > 0 ? 'some-skipped' : 'clean';
}
