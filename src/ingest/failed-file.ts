/**
 * A dropped file that failed again and again (its report cannot be written, its feed cannot be found, …):
 * moved to failed/ so that it stops holding up its merchant's later files, with a report saying how often
 * and why it failed. The report goes to reports/ like any other; when reports/ itself is what fails, it is
 * written beside the file in failed/ instead, so the reason is never lost.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomically } from './atomic-write.js';
import { moveOut, sidecarPath } from './claimed-file.js';
import type { DropFolder, DroppedFile } from './drop-folder.js';

export interface FailedFile {
  movedTo: string;
  report: string;
}

export async function fileAsFailed(
  folder: DropFolder,
  file: DroppedFile,
  failures: number,
  error: string,
): Promise<FailedFile> {
  const movedTo = await moveOut(folder, file, folder.failed, 'failed');
  await rm(sidecarPath(file), { force: true });
  const text =
    `${file.name}: not processed: it failed ${failures} times in a row; the last error was: ${error}\n` +
    'The file was moved to failed/. Fix the cause and drop it into incoming/ again: a feed already applied is ' +
    'reported as a duplicate and nothing is applied twice.\n';
  const inReports = join(folder.reports, `${file.name}${file.folder ? `.${file.folder}` : ''}.failed.txt`);
  const report = await writeAtomically(inReports, text).then(
    () => inReports,
    async () => {
      await writeAtomically(`${movedTo}.failed.txt`, text);
      return `${movedTo}.failed.txt`;
    },
  );
  return { movedTo, report };
}
