/**
 * Measured child: a warm `feedproc worker` + submitter in one process; 1-message feeds are submitted one after
 * another and each is timed from submission to its final report. The first feeds warm the process up and are
 * not counted. Every feed cancels one unit of a different seeded order, so none is a duplicate of another.
 * Usage: node bench/dist/child-latency.js DIR REDIS_URL BASELINES_DIR FEEDS
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { waitForReport } from '../../dist/queue/wait-for-report.js';
import { openRuntime } from '../../dist/cli/runtime.js';
import { createApplyWorker } from '../../dist/queue/apply-worker.js';
import { submitFeed } from '../../dist/queue/submit-feed.js';
import { createSchemaRegistry } from '../../dist/validate/index.js';
import { BENCH_MERCHANT, benchConfig, generatedRows } from './bench-ledger.js';
import { ownPeakRssMiB, printResult } from './result-line.js';
import { median, percentile } from './stats.js';

const WARM_UP = 5;

async function main(dir: string, url: string, _baselines: string, feeds: number): Promise<void> {
  const schemas = createSchemaRegistry();
  const runtime = await openRuntime(benchConfig(schemas, url), schemas, { workers: true });
  const worker = createApplyWorker(runtime.deps, runtime.workerConnection(), 2);
  const row = generatedRows();
  const times: number[] = [];
  try {
    for (let i = 1; i <= WARM_UP + feeds; i += 1) {
      const file = join(dir, `one-message-${i}.xml`);
      writeFileSync(file, oneMessageFeed(row(i)));
      const start = performance.now();
      const record = await submitFeed(runtime.deps, file, { merchantId: BENCH_MERCHANT });
      const report = await waitForReport(runtime.deps, record.feedSubmissionId);
      if (report.summary.messagesSuccessful !== 1) throw new Error(`feed ${i}: ${JSON.stringify(report.results)}`);
      if (i > WARM_UP) times.push(performance.now() - start);
    }
  } finally {
    await worker.close();
    await runtime.close();
  }
  const round1 = (ms: number): number => Math.round(ms * 10) / 10;
  printResult({
    bench: 'feedproc-latency',
    feeds: times.length,
    medianMs: round1(median(times)),
    p95Ms: round1(percentile(times, 95)),
    maxRssMiB: ownPeakRssMiB(),
  });
}

function oneMessageFeed(r: {
  orderId: string;
  itemCode: string;
  currency: string;
  price: string;
  tax: string;
}): string {
  const amount = (type: string, value: string): string =>
    `<Component><Type>${type}</Type><Amount currency="${r.currency}">${value}</Amount></Component>`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">' +
    `<Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>${BENCH_MERCHANT}</MerchantIdentifier></Header><MessageType>OrderAdjustment</MessageType>\n` +
    `<Message><MessageID>1</MessageID><OrderAdjustment><AmazonOrderID>${r.orderId}</AmazonOrderID><AdjustedItem><AmazonOrderItemCode>${r.itemCode}</AmazonOrderItemCode>` +
    `<AdjustmentReason>NoInventory</AdjustmentReason><ItemPriceAdjustments>${amount('Principal', r.price)}${amount('Tax', r.tax)}</ItemPriceAdjustments>` +
    '<QuantityCancelled>1</QuantityCancelled></AdjustedItem></OrderAdjustment></Message>\n</AmazonEnvelope>\n'
  );
}

const [dir, url, baselines, feeds] = process.argv.slice(2);
if (dir === undefined || url === undefined || baselines === undefined || !/^\d+$/.test(feeds ?? '')) {
  process.stderr.write('usage: child-latency.js DIR REDIS_URL BASELINES_DIR FEEDS\n');
  process.exitCode = 2;
} else {
  await main(dir, url, baselines, Number(feeds));
}
