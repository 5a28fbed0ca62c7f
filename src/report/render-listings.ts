/**
 * SP-API's JSON listings processing report (listings-feed-processing-report-schema-v2.json), the own report of
 * JSON_LISTINGS_FEED: a header with `sellerId`, `version` "2.0" and `feedId`; one issue per result (`messageId`
 * and `sku` when it concerns a message, `code` the ResultMessageCode as text, `severity`, `message`,
 * `attributeName` when an attribute is at fault); and a summary whose `errors` and `warnings` count every issue,
 * those a capped report left out included. Written in pieces, one issue at a time.
 */
import type { MessageResult, Report } from '../core/types.js';

export function* renderListingsReport(report: Report): Generator<string> {
  const header = { sellerId: report.merchantId ?? '', version: '2.0', feedId: report.feedSubmissionId ?? '' };
  yield `{\n  "header": ${JSON.stringify(header)},\n  "issues": [`;
  let errors = report.omitted?.errors ?? 0;
  let warnings = report.omitted?.warnings ?? 0;
  let first = true;
  for (const result of report.results) {
    if (result.resultCode === 'Error') errors += 1;
    else warnings += 1;
    yield `${first ? '\n' : ',\n'}    ${JSON.stringify(issueOf(result))}`;
    first = false;
  }
  const { summary: s } = report;
  const summary = {
    errors,
    warnings,
    messagesProcessed: s.messagesProcessed,
    messagesAccepted: s.messagesSuccessful,
    messagesInvalid: s.messagesWithError,
  };
  yield `${first ? '' : '\n  '}],\n  "summary": ${JSON.stringify(summary)}\n}\n`;
}

function issueOf(result: MessageResult): Record<string, unknown> {
  const issue: Record<string, unknown> = {};
  // JSON listings message ids are integers of at most 2^31 - 1; an id of another feed that is not safe as a
  // number (MWS allows 20 digits) is left out rather than rounded.
  const id = Number(result.messageId);
  if (result.messageId !== '0' && Number.isSafeInteger(id)) issue['messageId'] = id;
  if (result.additionalInfo?.sku !== undefined) issue['sku'] = result.additionalInfo.sku;
  issue['code'] = String(result.resultMessageCode);
  issue['severity'] = result.resultCode === 'Error' ? 'ERROR' : 'WARNING';
  issue['message'] = result.description;
  if (result.attributeName !== undefined) issue['attributeName'] = result.attributeName;
  return issue;
}
