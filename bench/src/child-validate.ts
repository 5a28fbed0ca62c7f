/**
 * Measured child: validates one feed file and prints its throughput.
 * Usage: node bench/dist/child-validate.js FILE
 * The schema registry is compiled before the clock starts, so the figure is validation alone (read, decode,
 * parse, check, build the report), the same span the baseline probes time for their parse.
 */
import { performance } from 'node:perf_hooks';
import { createSchemaRegistry, validateFeedFile } from '../../dist/validate/index.js';
import { ownPeakRssMiB, printResult, round1 } from './result-line.js';

async function main(file: string): Promise<void> {
  const compileStart = performance.now();
  const schemas = createSchemaRegistry();
  const start = performance.now();
  const report = await validateFeedFile(schemas, file);
  const ms = performance.now() - start;
  const { messagesProcessed, messagesWithError } = report.summary;
  printResult({
    bench: 'feedproc-validate',
    format: report.format,
    status: report.statusCode,
    messages: messagesProcessed,
    errors: messagesWithError,
    results: report.results.length,
    compileMs: Math.round(start - compileStart),
    ms: Math.round(ms),
    perSec: Math.round(messagesProcessed / (ms / 1000)),
    maxRssMiB: ownPeakRssMiB(),
    heapUsedMiB: round1(process.memoryUsage().heapUsed / 1048576),
  });
}

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: child-validate.js FILE\n');
  process.exitCode = 2;
} else {
  await main(file);
}
