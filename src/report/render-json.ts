/**
 * The JSON report of docs/reports.md#report (schemas/report.schema.json). Message ids are written as JSON numbers even
 * beyond 2^53 (MWS allows 20 digits), so the text is assembled here rather than by JSON.stringify of numbers.
 * Each result also carries `line`, `column` and `element` when the problem has a place in the file, and
 * `attributeName` when a JSON listings attribute is at fault.
 */
import type { MessageResult, Report } from '../core/types.js';

export function* renderJsonReport(report: Report): Generator<string> {
  const { results: _results, omitted: _omitted, ...head } = report; // what was left out is said by the last result
  const opening = JSON.stringify(head, null, 2).replace(/\n}$/, ',\n  "results": [');
  yield opening;
  let first = true;
  for (const result of report.results) {
    yield `${first ? '\n' : ',\n'}    ${renderResult(result)}`;
    first = false;
  }
  yield `${first ? '' : '\n  '}]\n}\n`;
}

function renderResult(result: MessageResult): string {
  const shaped: Record<string, unknown> = {
    messageId: 0,
    resultCode: result.resultCode,
    resultMessageCode: result.resultMessageCode,
    description: result.description,
  };
  if (result.additionalInfo) shaped['additionalInfo'] = result.additionalInfo;
  if (result.position) Object.assign(shaped, result.position);
  if (result.attributeName !== undefined) shaped['attributeName'] = result.attributeName;
  return JSON.stringify(shaped).replace('"messageId":0', `"messageId":${result.messageId}`);
}
