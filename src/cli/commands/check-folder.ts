/**
 * `feedproc check-folder`: validates every file waiting in `<feeds>/incoming/` (at the top and in merchant
 * folders `incoming/<MERCHANT_ID>/`, the layout the watcher reads) and writes each report into `<feeds>/reports/`
 * (written to a temporary name, then renamed). Files are left where they are: this is the offline check, without
 * Redis (`feedproc watch` is the one that processes them). Amazon's order reports are checked as an import would
 * read them, as the watcher imports them. The drop folder's trust rules apply (ingest/trust.ts): links, pipes,
 * sockets, devices and folders that are no merchant id are refused with a report, never opened; a file is read
 * through a checked descriptor.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../core/config.js';
import { limitsOf, type Limits } from '../../core/limits.js';
import { writeAtomically } from '../../ingest/atomic-write.js';
import { dropFolder, scanIncoming, type DroppedFile } from '../../ingest/drop-folder.js';
import { checkImportReportName, checkReportName } from '../../ingest/file-names.js';
import { reportRefusal } from '../../ingest/refusals.js';
import { openInFolder, regularFileInfo } from '../../ingest/trust.js';
import { startsWithOrderReportHeader } from '../../parse/order-report.js';
import { nativeReportFormat, renderReport, REPORT_EXTENSIONS } from '../../report/index.js';
import { validateFeedFile, type SchemaRegistry } from '../../validate/index.js';
import { checkOrderReport, orderReportCheckText } from '../../validate/order-report-check.js';
import { EXIT, exitCodeForOrderReportCheck, exitCodeForReport } from '../exit-codes.js';
import { startProgress } from '../progress-line.js';

export async function runCheckFolder(
  config: Config,
  schemas: SchemaRegistry,
  log: (line: string) => void,
): Promise<number> {
  const folder = dropFolder(config.feedsDir);
  await mkdir(folder.incoming, { recursive: true });
  await mkdir(folder.reports, { recursive: true });
  const { files, refused } = await scanIncoming(folder.incoming);
  let worst: number = EXIT.OK;
  for (const refusal of refused) {
    const report = await reportRefusal(folder, refusal);
    log(`${JSON.stringify(refusal.entry)}: not checked: ${refusal.reason} -> ${report}`);
    worst = Math.max(worst, EXIT.REJECTED);
  }
  for (const file of files) {
    const shown = file.folder === null ? file.name : `${file.folder}/${file.name}`;
    try {
      worst = Math.max(worst, await checkFile(schemas, limitsOf(config), folder.reports, file, shown, log));
    } catch (err) {
      // One file that cannot be read (vanished, unreadable) must not cost the others their reports.
      log(`${shown}: not checked: ${err instanceof Error ? err.message : String(err)}`);
      worst = Math.max(worst, EXIT.UNEXPECTED);
    }
  }
  if (files.length === 0 && refused.length === 0) log(`no files in ${folder.incoming}`);
  return worst;
}

async function checkFile(
  schemas: SchemaRegistry,
  limits: Limits,
  reports: string,
  file: DroppedFile,
  shown: string,
  log: (line: string) => void,
): Promise<number> {
  const seen = await regularFileInfo(file.path);
  if (!seen) throw new Error('no longer a regular file');
  // Read through the checked descriptor (/proc/self/fd/N reopens that very file), so a swap cannot redirect it.
  const handle = await openInFolder(file.path, seen, file.folder !== null);
  let report;
  try {
    const viaDescriptor = `/proc/self/fd/${handle.fd}`;
    const usable = (await stat(viaDescriptor).catch(() => null))?.isFile() === true;
    const readPath = usable ? viaDescriptor : file.path;
    if (await startsWithOrderReportHeader(handle)) {
      const check = await checkOrderReport(readPath, file.name);
      const target = join(reports, checkImportReportName(file.name, file.folder));
      const text = orderReportCheckText(check);
      await writeAtomically(target, text);
      log(`${shown}: ${(text.split('\n')[0] ?? '').slice(file.name.length + 2)} -> ${target}`);
      return exitCodeForOrderReportCheck(check);
    }
    const progress = await startProgress(file.path, undefined);
    try {
      report = await validateFeedFile(schemas, readPath, { meter: progress.meter, limits });
    } finally {
      progress.end();
    }
  } finally {
    await handle.close();
  }
  const format = nativeReportFormat(report);
  const target = join(reports, checkReportName(file.name, file.folder, REPORT_EXTENSIONS[format]));
  await writeAtomically(target, renderReport(report, format, file.name));
  const s = report.summary;
  log(
    `${shown}: ${report.statusCode}, ${s.messagesProcessed} processed, ${s.messagesWithError} with errors -> ${target}`,
  );
  return exitCodeForReport(report);
}
