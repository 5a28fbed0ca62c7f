/**
 * Files that others pick up (reports, claim records) appear whole or not at all: written under a temporary
 * dotfile name in the same folder (so the rename cannot cross file systems), flushed, then renamed into place.
 * A folder deleted while feedproc runs (someone cleaning up reports/) is created again rather than failing
 * every write after it.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { writeReport } from '../report/index.js';
import { MAX_STEM_BYTES, truncateBytes } from './file-names.js';

export async function writeAtomically(path: string, content: string | Iterable<string>): Promise<void> {
  await mkdir(dirname(path), { recursive: true }); // content may be a generator: it can be written only once
  // Two writers never share a temporary name; the name's start is cut so that the uuid always fits.
  const temporary = join(dirname(path), `.${truncateBytes(basename(path), MAX_STEM_BYTES)}.${randomUUID()}.tmp`);
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
