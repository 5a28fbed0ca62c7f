/**
 * Measured child: builds a report with COUNT Error results, then times rendering it as an XML ProcessingReport
 * and writing it to OUT_FILE. Usage: node bench/dist/child-report.js COUNT OUT_FILE
 * Building the report is set-up and is not timed, but it stays in the process, so the peak RSS is that of a
 * real `validate` run that ends with this report.
 */
import { once } from 'node:events';
import { createWriteStream, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Report } from '../../dist/core/types.js';
import { ReportBuilder, renderXmlReport, writeReport, type ResultInput } from '../../dist/report/index.js';
import { ownPeakRssMiB, printResult, round1 } from './result-line.js';

const REASONS =
  "'NoInventory', 'CustomerReturn', 'GeneralAdjustment', 'CouldNotShip', 'DifferentItem', 'Abandoned', 'CustomerCancel', " +
  "'PriceError', 'ProductOutofStock', 'CustomerAddressIncorrect', 'Exchange', 'Other', 'CarrierCreditDecision', " +
  "'RiskAssessmentInformationNotValid', 'CarrierCoverageFailure', 'TransactionRecord', 'Undeliverable', 'RefusedDelivery'";

/**
 * One schema error per message, in the wording the validator produces. The three kinds vary the length the way
 * real reports do (the enumeration text is about 500 characters), and the `&` makes the escaper do work.
 */
function problemFor(i: number): ResultInput {
  const line = i + 2;
  const kinds: Array<[number, string, string]> = [
    [
      172,
      'AdjustmentReason',
      `[facet 'enumeration'] The value 'NoInventory${i}' is not an element of the set {${REASONS}}.`,
    ],
    [
      540,
      'QuantityCancelled',
      `[facet 'pattern'] The value '0&${i}' is not accepted by the pattern '[1-9][0-9]{0,5}'.`,
    ],
    [96, 'AdjustedItem', 'Missing child element(s). Expected is ( AdjustmentReason ).'],
  ];
  const [column, element, text] = kinds[i % kinds.length] as [number, string, string];
  const detail = `Element '${element}': ${text}`;
  const orderItem = String(10000000000000 + i);
  return {
    code: 'VALIDATE_SCHEMA',
    context: { line, column, element, detail },
    additionalInfo: { amazonOrderId: `123-1234567-${String(i).padStart(7, '0')}`, amazonOrderItemCode: orderItem },
    position: { line, column, element },
  };
}

function buildReport(count: number): Report {
  // The renderer's own figure: every result kept (an operator may raise FEEDPROC_MAX_REPORT_RESULTS this far).
  const builder = new ReportBuilder(count);
  for (let i = 1; i <= count; i += 1) builder.addMessage(String(i), [problemFor(i)]);
  const head = {
    feedSubmissionId: '50001',
    feedType: '_POST_PAYMENT_ADJUSTMENT_DATA_',
    merchantId: 'M1',
    encoding: 'UTF-8',
  };
  return builder.complete({ ...head, format: 'xml' });
}

async function renderToFile(report: Report, outFile: string): Promise<void> {
  const out = createWriteStream(outFile);
  await writeReport(renderXmlReport(report), out);
  out.end();
  await once(out, 'close');
}

async function main(count: number, outFile: string): Promise<void> {
  const report = buildReport(count);
  const rssBeforeMiB = round1(process.memoryUsage().rss / 1048576);
  const start = performance.now();
  await renderToFile(report, outFile);
  const ms = performance.now() - start;
  printResult({
    bench: 'feedproc-report-xml',
    results: report.results.length,
    bytes: statSync(outFile).size,
    ms: Math.round(ms),
    resultsPerSec: Math.round(report.results.length / (ms / 1000)),
    rssBeforeRenderMiB: rssBeforeMiB,
    maxRssMiB: ownPeakRssMiB(),
  });
}

const [countArg, outFile] = process.argv.slice(2);
const count = Number(countArg);
if (!Number.isInteger(count) || count <= 0 || outFile === undefined) {
  process.stderr.write('usage: child-report.js COUNT OUT_FILE\n');
  process.exitCode = 2;
} else {
  await main(count, outFile);
}
