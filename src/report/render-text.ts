/**
 * The report for people: one summary line, then one line per result in the `file:line:column:` form that
 * editors and terminals turn into links. A line never starts a spreadsheet formula: a file name such as
 * `=cmd.txt` gets a `'` (core/safe-cell.ts), as the tab-separated reports do.
 */
import { safeCell } from '../core/safe-cell.js';
import type { MessageResult, Report } from '../core/types.js';

export function* renderTextReport(report: Report, name: string): Generator<string> {
  const fileName = safeCell(name);
  const s = report.summary;
  const what = `${report.feedType ?? 'unknown feed type'} (${report.format}, ${report.encoding ?? 'encoding unknown'})`;
  const counts =
    report.statusCode === 'Rejected'
      ? 'the file was rejected as a whole; nothing in it would be applied'
      : `${s.messagesProcessed} ${s.messagesProcessed === 1 ? 'message' : 'messages'}: ${s.messagesSuccessful} successful, ${s.messagesWithError} with errors, ${s.messagesWithWarning} with warnings`;
  yield `${fileName}: ${what}: ${report.statusCode}: ${counts}\n`;
  for (const result of report.results) yield renderLine(result, fileName);
}

function renderLine(result: MessageResult, fileName: string): string {
  const where = result.position ? `${fileName}:${result.position.line}:${result.position.column}` : fileName;
  const message = result.messageId === '0' ? 'file' : `message ${result.messageId}`;
  return `${where}: ${result.resultCode} ${result.resultMessageCode} (${message}): ${result.description}\n`;
}
