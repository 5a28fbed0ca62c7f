/**
 * `feedproc check-folder`: validates every file waiting in `<feeds>/incoming/` and writes each report into
 * `<feeds>/reports/` (written to a temporary name, then renamed). Files are left where they are: this is the
 * offline check, without Redis (`feedproc watch` is the one that processes them).
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../core/config.js';
import { limitsOf, type Limits } from '../../core/limits.js';
import { writeAtomically } from '../../ingest/atomic-write.js';
import { isWorkInProgressName } from '../../ingest/drop-folder.js';
import { nativeReportFormat, renderReport, REPORT_EXTENSIONS } from '../../report/index.js';
import { validateFeedFile, type SchemaRegistry } from '../../validate/index.js';
import { EXIT, exitCodeForReport } from '../exit-codes.js';

export async function runCheckFolder(
  config: Config,
  schemas: SchemaRegistry,
  log: (line: string) => void,
): Promise<number> {
  const incoming = join(config.feedsDir, 'incoming');
  const reports = join(config.feedsDir, 'reports');
  await mkdir(incoming, { recursive: true });
  await mkdir(reports, { recursive: true });
  const names = (await readdir(incoming, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && !isWorkInProgressName(entry.name))
    .map((entry) => entry.name)
    .sort();
  let worst: number = EXIT.OK;
  for (const name of names) {
    try {
      worst = Math.max(worst, await checkFile(schemas, limitsOf(config), incoming, reports, name, log));
    } catch (err) {
      // One file that cannot be read (vanished, unreadable) must not cost the others their reports.
      log(`${name}: not checked: ${err instanceof Error ? err.message : String(err)}`);
      worst = Math.max(worst, EXIT.UNEXPECTED);
    }
  }
  if (names.length === 0) log(`no files in ${incoming}`);
  return worst;
}

async function checkFile(
  schemas: SchemaRegistry,
  limits: Limits,
  incoming: string,
  reports: string,
  name: string,
  log: (line: string) => void,
): Promise<number> {
  const report = await validateFeedFile(schemas, join(incoming, name), { limits });
  const format = nativeReportFormat(report);
  const target = join(reports, `${name}.report.${REPORT_EXTENSIONS[format]}`);
  await writeAtomically(target, renderReport(report, format, name));
  const s = report.summary;
  log(
    `${name}: ${report.statusCode}, ${s.messagesProcessed} processed, ${s.messagesWithError} with errors -> ${target}`,
  );
  return exitCodeForReport(report);
}
