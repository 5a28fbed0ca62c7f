/** Loading a whole order report into the ledger (`orders import`, and order reports dropped into the folder). */
import { safeCell } from '../core/safe-cell.js';
import type { OrderReport } from '../parse/order-report.js';
import type { Ledger } from './ledger.js';

export interface ImportCounts {
  orders: number;
  items: number;
  created: number;
  updated: number;
  unchanged: number;
}

/** `progress.done` counts the orders imported so far (a progress line samples it). */
export async function importOrderReport(
  ledger: Ledger,
  report: OrderReport,
  progress: { done: number } = { done: 0 },
): Promise<ImportCounts> {
  const counts = { orders: report.orders.length, items: 0, created: 0, updated: 0, unchanged: 0 };
  for (const order of report.orders) {
    counts[await ledger.importOrder(order)] += 1;
    counts.items += order.itemOrder.length;
    progress.done += 1;
  }
  return counts;
}

/** The lines `orders import` prints, and the import report of a dropped order report. */
export function importSummary(name: string, report: OrderReport, counts: ImportCounts): string {
  const file = safeCell(name); // each line starts with the file name, as in the text report (safe cells)
  const lines = [
    `${file}: ${counts.orders} orders (${counts.items} items, ${report.encoding}): ${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged`,
  ];
  for (const skipped of report.skipped) lines.push(`${file}:${skipped.line}: skipped: ${skipped.reason}`);
  return `${lines.join('\n')}\n`;
}
