/**
 * The XML ProcessingReport (ProcessingReport.xsd inside an AmazonEnvelope, DocumentVersion 1.02, one Message
 * with MessageID 1). xmlbuilder2 builds the envelope; the Result elements, which can number in the hundreds of
 * thousands, are written by a small escaping serializer in the same layout: an xmlbuilder2 DOM needs about 1 GiB
 * and 4 s for 100,000 results, its streaming callback API 12 s (perf-baseline.md §5).
 */
import { create } from 'xmlbuilder2';
import type { MessageResult, Report } from '../core/types.js';

const RESULTS_MARK = 'feedproc:results';
const RESULT_INDENT = '      ';

/** Yields the report document in pieces, in order; join them or write them to a stream. */
export function* renderXmlReport(report: Report): Generator<string> {
  const [head, tail] = envelopeAround(report);
  yield head;
  for (const result of report.results) yield renderResult(result);
  yield tail;
}

function envelopeAround(report: Report): [string, string] {
  const { summary } = report;
  const processingReport = create({ version: '1.0', encoding: 'UTF-8' })
    .ele('AmazonEnvelope', {
      'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      'xsi:noNamespaceSchemaLocation': 'amzn-envelope.xsd',
    })
    .ele('Header')
    .ele('DocumentVersion')
    .txt('1.02')
    .up()
    .ele('MerchantIdentifier')
    .txt(xmlSafe(report.merchantId ?? ''))
    .up()
    .up()
    .ele('MessageType')
    .txt('ProcessingReport')
    .up()
    .ele('Message')
    .ele('MessageID')
    .txt('1')
    .up()
    .ele('ProcessingReport')
    .ele('DocumentTransactionID')
    .txt(report.feedSubmissionId ?? '1')
    .up()
    .ele('StatusCode')
    .txt(report.statusCode)
    .up();
  processingReport
    .ele('ProcessingSummary')
    .ele('MessagesProcessed')
    .txt(String(summary.messagesProcessed))
    .up()
    .ele('MessagesSuccessful')
    .txt(String(summary.messagesSuccessful))
    .up()
    .ele('MessagesWithError')
    .txt(String(summary.messagesWithError))
    .up()
    .ele('MessagesWithWarning')
    .txt(String(summary.messagesWithWarning))
    .up();
  processingReport.com(RESULTS_MARK);
  const text = processingReport.doc().end({ prettyPrint: true, indent: '  ' });
  const markLine = `${RESULT_INDENT}<!--${RESULTS_MARK}-->\n`;
  const mark = text.indexOf(markLine);
  return [text.slice(0, mark), `${text.slice(mark + markLine.length)}\n`];
}

function renderResult(result: MessageResult): string {
  const i = RESULT_INDENT;
  let xml =
    `${i}<Result>\n` +
    `${i}  <MessageID>${result.messageId}</MessageID>\n` +
    `${i}  <ResultCode>${result.resultCode}</ResultCode>\n` +
    `${i}  <ResultMessageCode>${result.resultMessageCode}</ResultMessageCode>\n` +
    `${i}  <ResultDescription>${escapeText(result.description)}</ResultDescription>\n`;
  const info = result.additionalInfo;
  if (info) {
    xml += `${i}  <AdditionalInfo>\n`;
    if (info.sku !== undefined) xml += `${i}    <SKU>${escapeText(info.sku)}</SKU>\n`;
    if (info.amazonOrderId !== undefined)
      xml += `${i}    <AmazonOrderID>${escapeText(info.amazonOrderId)}</AmazonOrderID>\n`;
    if (info.amazonOrderItemCode !== undefined) {
      xml += `${i}    <AmazonOrderItemCode>${info.amazonOrderItemCode}</AmazonOrderItemCode>\n`;
    }
    xml += `${i}  </AdditionalInfo>\n`;
  }
  return `${xml}${i}</Result>\n`;
}

const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Characters XML 1.0 cannot carry (they can come from flat files) become U+FFFD. */
export function xmlSafe(text: string): string {
  return text.replace(NOT_XML_CHAR, '\uFFFD');
}

function escapeText(text: string): string {
  return xmlSafe(text).replace(/[&<>]/g, (c) => ESCAPES[c] ?? c);
}
