/**
 * The tab-delimited "Feed Processing Summary" of flat feeds (docs/reports.md): two summary lines, a blank
 * line, then one row per result with `original-record-number` and the identifier columns of the feed type
 * (`order-id`/`order-item-id` for order feeds, `sku` for inventory ones). File-level rejections are `Fatal`.
 * Every cell is safe to open in a spreadsheet (core/safe-cell.ts): a SKU such as `=HYPERLINK(…)` gets a `'`.
 */
import { ERROR_CODES } from '../core/error-codes.js';
import { feedTypeByName } from '../core/feed-types.js';
import { safeCell } from '../core/safe-cell.js';
import type { MessageResult, Report } from '../core/types.js';

export function* renderFlatReport(report: Report): Generator<string> {
  const byOrder = (report.feedType && feedTypeByName(report.feedType)?.identifiedBy) === 'order';
  const idColumns = byOrder ? 'order-id\torder-item-id' : 'sku';
  yield (
    'Feed Processing Summary:\n' +
    `\tNumber of records processed\t\t${report.summary.messagesProcessed}\n` +
    `\tNumber of records successful\t\t${report.summary.messagesSuccessful}\n\n` +
    `original-record-number\t${idColumns}\terror-code\terror-type\terror-message\n`
  );
  for (const result of report.results) yield renderRow(result, byOrder);
}

function renderRow(result: MessageResult, byOrder: boolean): string {
  const info = result.additionalInfo ?? {};
  const ids = byOrder ? `${cell(info.amazonOrderId)}\t${cell(info.amazonOrderItemCode)}` : cell(info.sku);
  const type = ERROR_CODES[result.code].scope === 'feed' ? 'Fatal' : result.resultCode;
  const record = safeCell(result.messageId, 'numeric');
  return `${record}\t${ids}\t${result.resultMessageCode}\t${type}\t${cell(result.description)}\n`;
}

/** A cell cannot hold the separators of the layout, nor start a formula. */
function cell(text: string | undefined): string {
  return safeCell(text ?? '').replace(/[\t\r\n]+/g, ' ');
}
