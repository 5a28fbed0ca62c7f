/**
 * Files that others pick up (reports, claim records) appear whole or not at all: written under a temporary
 * dotfile name in the same folder (so the rename cannot cross file systems), flushed, then renamed into place.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { writeReport } from '../report/index.js';

export async function writeAtomically(path: string, content: string | Iterable<string>): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`); // two writers never share one
  try {
    const out = createWriteStream(temporary);
    await writeReport(typeof content === 'string' ? [content] : content, out);
    out.end();
    await finished(out);
    const handle = await open(temporary, 'r+');
    await handle.sync(); // on disk before the rename makes it visible: a power cut leaves old or new, never empty
    await handle.close();
    await rename(temporary, path);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
}
