/**
 * `feedproc check-folder`: validates every file waiting in `<feeds>/incoming/` and in its merchant subfolders
 * (`incoming/<MERCHANT_ID>/`, the layout the watcher reads) and writes each report into `<feeds>/reports/`
 * (written to a temporary name, then renamed), under the name the watcher would give it. Files are left where
 * they are: this is the offline check, without Redis (`feedproc watch` is the one that processes them). Amazon's
 * order reports are checked as an import would read them, as the watcher imports them.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../core/config.js';
import { writeAtomically } from '../../ingest/atomic-write.js';
import { listDropped, type DroppedFile } from '../../ingest/drop-folder.js';
import { isOrderReportFile } from '../../parse/order-report.js';
import { nativeReportFormat, renderReport, REPORT_EXTENSIONS } from '../../report/index.js';
import { validateFeedFile, type SchemaRegistry } from '../../validate/index.js';
import { checkOrderReport, orderReportCheckText } from '../../validate/order-report-check.js';
import { EXIT, exitCodeForOrderReportCheck, exitCodeForReport } from '../exit-codes.js';

export async function runCheckFolder(
  config: Config,
  schemas: SchemaRegistry,
  log: (line: string) => void,
): Promise<number> {
  const incoming = join(config.feedsDir, 'incoming');
  const reports = join(config.feedsDir, 'reports');
  await mkdir(incoming, { recursive: true });
  await mkdir(reports, { recursive: true });
  const files = await listDropped(incoming);
  let worst: number = EXIT.OK;
  for (const file of files) {
    const shown = file.folder === null ? file.name : `${file.folder}/${file.name}`;
    try {
      worst = Math.max(worst, await checkFile(schemas, file, shown, reports, log));
    } catch (err) {
      // One file that cannot be read (vanished, unreadable) must not cost the others their reports.
      log(`${shown}: not checked: ${err instanceof Error ? err.message : String(err)}`);
      worst = Math.max(worst, EXIT.UNEXPECTED);
    }
  }
  if (files.length === 0) log(`no files in ${incoming}`);
  return worst;
}

async function checkFile(
  schemas: SchemaRegistry,
  file: DroppedFile,
  shown: string,
  reports: string,
  log: (line: string) => void,
): Promise<number> {
  if (await isOrderReportFile(file.path)) {
    const check = await checkOrderReport(file.path, file.name);
    const target = join(reports, `${file.name}.import-check.txt`);
    const text = orderReportCheckText(check);
    await writeAtomically(target, text);
    log(`${shown}: ${(text.split('\n')[0] ?? '').slice(file.name.length + 2)} -> ${target}`);
    return exitCodeForOrderReportCheck(check);
  }
  const report = await validateFeedFile(schemas, file.path);
  const format = nativeReportFormat(report);
  const target = join(reports, `${file.name}.report.${REPORT_EXTENSIONS[format]}`);
  await writeAtomically(target, renderReport(report, format, file.name));
  const s = report.summary;
  log(
    `${shown}: ${report.statusCode}, ${s.messagesProcessed} processed, ${s.messagesWithError} with errors -> ${target}`,
  );
  return exitCodeForReport(report);
}
