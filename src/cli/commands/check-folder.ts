/**
 * `feedproc check-folder`: validates every file waiting in `<feeds>/incoming/` and writes each report into
 * `<feeds>/reports/` (written to a temporary name, then renamed). Files are left where they are: this is the
 * offline check that `npm start` runs until the ledger and the watcher exist.
 */
import { mkdir, readdir, rename } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Config } from '../../core/config.js';
import { nativeReportFormat, renderReport, writeReport } from '../../report/index.js';
import { validateFeedFile, type SchemaRegistry } from '../../validate/index.js';
import { EXIT, exitCodeForReport } from '../exit-codes.js';

const REPORT_EXTENSIONS = { xml: 'xml', flat: 'txt', json: 'json', text: 'txt' } as const;

export async function runCheckFolder(config: Config, schemas: SchemaRegistry, log: (line: string) => void): Promise<number> {
  const incoming = join(config.feedsDir, 'incoming');
  const reports = join(config.feedsDir, 'reports');
  await mkdir(incoming, { recursive: true });
  await mkdir(reports, { recursive: true });
  const names = (await readdir(incoming, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.') && !entry.name.endsWith('.tmp'))
    .map((entry) => entry.name)
    .sort();
  let worst: number = EXIT.OK;
  for (const name of names) {
    try {
      worst = Math.max(worst, await checkFile(schemas, incoming, reports, name, log));
    } catch (err) {
      // One file that cannot be read (vanished, unreadable) must not cost the others their reports.
      log(`${name}: not checked: ${err instanceof Error ? err.message : String(err)}`);
      worst = Math.max(worst, EXIT.UNEXPECTED);
    }
  }
  if (names.length === 0) log(`no files in ${incoming}`);
  return worst;
}

async function checkFile(schemas: SchemaRegistry, incoming: string, reports: string, name: string, log: (line: string) => void): Promise<number> {
  const report = await validateFeedFile(schemas, join(incoming, name));
  const format = nativeReportFormat(report);
  const target = join(reports, `${name}.report.${REPORT_EXTENSIONS[format]}`);
  const temporary = join(reports, `.${name}.report.tmp`);
  const out = createWriteStream(temporary);
  await writeReport(renderReport(report, format, name), out);
  out.end();
  await finished(out);
  await rename(temporary, target);
  const s = report.summary;
  log(`${name}: ${report.statusCode}, ${s.messagesProcessed} processed, ${s.messagesWithError} with errors -> ${target}`);
  return exitCodeForReport(report);
}
