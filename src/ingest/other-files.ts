/**
 * Dropped files that are not feeds to submit: Amazon order reports (imported into the ledger, with a short
 * import report) and files nobody can process (no merchant to submit them for), which go to failed/ with a
 * report saying why. Both leave nothing in processing/.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { importOrderReport, importSummary } from '../apply/import-orders.js';
import { safeCell } from '../core/safe-cell.js';
import { createLedger } from '../apply/ledger.js';
import { readOrderReport, startsWithOrderReportHeader } from '../parse/order-report.js';
import type { PipelineDeps } from '../queue/pipeline-deps.js';
import { writeAtomically } from './atomic-write.js';
import { moveOut, sidecarPath } from './claimed-file.js';
import type { DropFolder, DroppedFile } from './drop-folder.js';
import { importReportName, unassignedReportName } from './file-names.js';
import { openChecked } from './trust.js';

/** The drop folder's test for an order report: the file opened by the trust rules (no link, a regular file). */
export async function isOrderReportFile(path: string): Promise<boolean> {
  const handle = await openChecked(path);
  try {
    return await startsWithOrderReportHeader(handle);
  } finally {
    await handle.close();
  }
}

export interface ImportOutcome {
  summary: string;
  reportPath: string;
  movedTo: string;
}

/** Imports the order report; safe to repeat after a crash (re-importing changes nothing). */
export async function importDroppedOrderReport(
  deps: PipelineDeps,
  folder: DropFolder,
  file: DroppedFile,
  merchantId: string,
): Promise<ImportOutcome> {
  const report = await readOrderReport(file.path);
  const ledger = createLedger(deps.redis, deps.config.prefix, merchantId);
  const summary = importSummary(file.name, report, await importOrderReport(ledger, report));
  const reportPath = join(folder.reports, importReportName(file.name, merchantId));
  await writeAtomically(reportPath, summary);
  const movedTo = await moveOut(folder, file, folder.done, 'import');
  await rm(sidecarPath(file), { force: true });
  return { summary, reportPath, movedTo };
}

/** A file at the top of incoming/ when no default merchant is configured. */
export async function failUnassigned(folder: DropFolder, file: DroppedFile): Promise<ImportOutcome> {
  const summary = `${safeCell(file.name)}: not processed: no merchant. Drop it into incoming/<MERCHANT_ID>/, or set FEEDPROC_MERCHANT for files at the top of incoming/.\n`;
  const reportPath = join(folder.reports, unassignedReportName(file.name));
  await writeAtomically(reportPath, summary);
  const movedTo = await moveOut(folder, file, folder.failed, 'unassigned');
  await rm(sidecarPath(file), { force: true });
  return { summary, reportPath, movedTo };
}
