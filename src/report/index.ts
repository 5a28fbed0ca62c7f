/** Stage entry point: render a report in any of the five formats, as a sequence of text pieces. */
import { once } from 'node:events';
import type { Report, ReportFormat } from '../core/types.js';
import { renderFlatReport } from './render-flat.js';
import { renderJsonReport } from './render-json.js';
import { renderListingsReport } from './render-listings.js';
import { renderTextReport } from './render-text.js';
import { renderXmlReport } from './render-xml.js';

export { ReportBuilder, byMessageId, toResult, type ReportHead, type ResultInput } from './report-builder.js';
export { capResults } from './capped-results.js';
export { renderFlatReport, renderJsonReport, renderListingsReport, renderTextReport, renderXmlReport };

/**
 * The format a feed's own report uses: XML for XML feeds, the flat summary for flat files, SP-API's listings
 * processing report for JSON listings feeds.
 */
export function nativeReportFormat(report: Pick<Report, 'format'>): ReportFormat {
  return report.format === 'xml' ? 'xml' : report.format === 'json' ? 'listings' : 'flat';
}

/** The HTTP content type of a report written in `format`. */
export const REPORT_CONTENT_TYPES: Readonly<Record<ReportFormat, string>> = Object.freeze({
  xml: 'text/xml; charset=UTF-8',
  flat: 'text/tab-separated-values; charset=UTF-8',
  json: 'application/json; charset=UTF-8',
  text: 'text/plain; charset=UTF-8',
  listings: 'application/json; charset=UTF-8',
});

/** The file extension of a report written in `format`. */
export const REPORT_EXTENSIONS: Readonly<Record<ReportFormat, string>> = Object.freeze({
  xml: 'xml',
  flat: 'txt',
  json: 'json',
  text: 'txt',
  listings: 'json',
});

export function renderReport(report: Report, format: ReportFormat, fileName: string): Iterable<string> {
  switch (format) {
    case 'xml':
      return renderXmlReport(report);
    case 'flat':
      return renderFlatReport(report);
    case 'json':
      return renderJsonReport(report);
    case 'text':
      return renderTextReport(report, fileName);
    case 'listings':
      return renderListingsReport(report);
  }
}

/** Writes the pieces in batches of about 1 MiB, waiting for the stream to drain (few large writes, no backlog). */
export async function writeReport(pieces: Iterable<string>, out: NodeJS.WritableStream): Promise<void> {
  let batch = '';
  for (const piece of pieces) {
    batch += piece;
    if (batch.length >= 1 << 20) {
      await writeAndDrain(out, batch);
      batch = '';
    }
  }
  if (batch) await writeAndDrain(out, batch);
}

async function writeAndDrain(out: NodeJS.WritableStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}
