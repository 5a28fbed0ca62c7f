/**
 * Names the drop folder derives from a dropped file's name: claim records, reports, refusal reports and the
 * temporary names they are written under. A file name may be 255 bytes, so a derived name built by adding to
 * it could exceed the file system's limit and never be written; a name too long to carry is replaced by a short
 * prefix of it plus a hash of the whole name (the report keeps the original name inside).
 */
import { createHash } from 'node:crypto';
import { safeCell } from '../core/safe-cell.js';

/** Room left for what is added around a derived name (a claim dot, `.<id>.report.xml`, a temp file's uuid). */
export const MAX_STEM_BYTES = 160;
const PREFIX_BYTES = 100;

/** The longest leading part of `text` of at most `limit` UTF-8 bytes, never cutting a character. */
export function truncateBytes(text: string, limit: number): string {
  if (Buffer.byteLength(text) <= limit) return text;
  let out = '';
  let bytes = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (bytes + size > limit) break;
    out += char;
    bytes += size;
  }
  return out;
}

/** The name itself when it is short enough to build on; else `<first 100 bytes>~<16 hex digits of its SHA-256>`. */
export function nameStem(name: string): string {
  if (Buffer.byteLength(name) <= MAX_STEM_BYTES) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 16);
  return `${truncateBytes(name, PREFIX_BYTES)}~${hash}`;
}

/**
 * An entry's path under incoming/ as one file-name-safe word, distinct for distinct paths: bytes outside
 * `[A-Za-z0-9._-]` (a `/`, a newline, a space, `%` itself) become `%XX`; a leading dot is escaped too, so that the
 * name is never taken for a work-in-progress file. Used for refusal reports, whose entries may have any name.
 */
export function escapedEntryName(relativePath: string): string {
  const escaped = Array.from(Buffer.from(relativePath, 'utf8'), (byte, at) => {
    const char = String.fromCharCode(byte);
    return /[A-Za-z0-9_-]/.test(char) || (char === '.' && at > 0)
      ? char
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
  return nameStem(escaped);
}

/** reports/<name>.<feedId>.report.<ext>: the FeedSubmissionId makes it unique. */
export const feedReportName = (name: string, feedId: string, extension: string): string =>
  `${nameStem(name)}.${feedId}.report.${extension}`;

/** reports/<name>.<merchant>.import.txt: a merchant id holds no dot, so name and merchant cannot run together. */
export const importReportName = (name: string, merchantId: string): string =>
  `${nameStem(name)}.${merchantId}.import.txt`;

/** reports/<name>.unassigned.txt: a file at the top of incoming/ with no default merchant. */
export const unassignedReportName = (name: string): string => `${nameStem(name)}.unassigned.txt`;

/** reports/<escaped path>.refused.txt: an entry the drop folder does not take. */
export const refusedReportName = (relativePath: string): string => `${escapedEntryName(relativePath)}.refused.txt`;

/**
 * reports/<name>.<merchant>.failed.txt for a file given up after repeated failures; `%top` (never a merchant id)
 * for a file at the top of incoming/.
 */
export const givenUpReportName = (name: string, folder: string | null): string =>
  `${nameStem(name)}.${folder ?? '%top'}.failed.txt`;

/**
 * `feedproc check-folder`'s reports: `<name>.check.report.<ext>` for a file at the top of incoming/,
 * `<name>.<M>.merchant-check.report.<ext>` for one in a merchant folder. Neither ends like a feed's
 * `.<digits>.report.<ext>` nor like the other, so no name can collide with another kind's.
 */
export const checkReportName = (name: string, folder: string | null, extension: string): string =>
  folder === null
    ? `${nameStem(name)}.check.report.${extension}`
    : `${nameStem(name)}.${folder}.merchant-check.report.${extension}`;

/**
 * `feedproc check-folder`'s check of an Amazon order report (what an import would load): `<name>.check-import.txt`
 * at the top of incoming/, `<name>.<M>.merchant-check-import.txt` in a merchant folder. Neither ends in
 * `.import.txt` (the watcher's import report), `.report.<ext>` or the other's ending.
 */
export const checkImportReportName = (name: string, folder: string | null): string =>
  folder === null ? `${nameStem(name)}.check-import.txt` : `${nameStem(name)}.${folder}.merchant-check-import.txt`;

/** The claim record beside a claimed file in processing/. */
export const claimRecordName = (name: string): string => `.${nameStem(name)}.claim`;

/**
 * A report whose file name was shortened still names its file inside: an XML comment after the declaration, a
 * trailing `original-file-name` line in a tab-separated report, an `originalFileName` member first in a JSON one.
 */
export function* withOriginalName(pieces: Iterable<string>, extension: string, name: string): Generator<string> {
  let first = true;
  for (const piece of pieces) {
    if (first && extension === 'xml') {
      const comment = `<!-- original file name: ${name.replace(/--/g, '- -').replace(/[<>]/g, '_')} -->`;
      yield piece.replace(/^(<\?xml[^>]*\?>\n?)?/, (declaration) => `${declaration}${comment}\n`);
    } else if (first && extension === 'json')
      yield piece.replace(/^\{/, `{\n  "originalFileName": ${JSON.stringify(name)},`);
    else yield piece;
    first = false;
  }
  if (extension === 'txt') yield `\noriginal-file-name\t${safeCell(name.replace(/[\t\r\n]+/g, ' '))}\n`;
}
