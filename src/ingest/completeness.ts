/**
 * Is a file in the drop folder finished? A guard for writers that do not use the rename protocol: an XML feed
 * is complete once it ends with the closing `</AmazonEnvelope>`, a JSON listings document once it ends with `}`,
 * a flat file once its last line is ended, and none while its tail is still zero bytes (a writer that set the final size first and fills it in later).
 * The watcher waits for this and for size/mtime stability, up to a limit: a file that never completes is
 * still processed then, and its report says what is wrong with it (nothing is left without a report).
 */
import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { openChecked } from './trust.js';

/** Enough to hold the closing tag with any trailing whitespace or comment a writer may add. */
const TAIL_BYTES = 4096;
const HEAD_BYTES = 512;

export type Completeness = 'complete' | 'incomplete' | 'empty';

/** Reads the file's head and tail through a checked descriptor (trust.ts): never a pipe, a link or another file. */
export async function fileCompleteness(
  path: string,
  expected?: Stats,
  openFile: (path: string, expected?: Stats) => Promise<FileHandle> = openChecked,
): Promise<Completeness> {
  const handle = await openFile(path, expected);
  try {
    const { size } = await handle.stat();
    if (size === 0) return 'empty';
    const head = await readAt(handle, 0, Math.min(HEAD_BYTES, size));
    const tail = await readAt(handle, Math.max(0, size - TAIL_BYTES), Math.min(TAIL_BYTES, size));
    if (tail[tail.length - 1] === 0 && !isUtf16(head)) return 'incomplete'; // preallocated, not yet filled
    const text = decodeTail(head, tail);
    if (text.endsWith('\u0000')) return 'incomplete';
    const kind = firstCharacter(head);
    return kind === '<' ? xmlComplete(text) : kind === '{' ? jsonComplete(text) : flatComplete(text);
  } finally {
    await handle.close();
  }
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

function isUtf16(head: Buffer): boolean {
  return (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
}

/** The tail as text: UTF-16 by its byte-order mark, anything else read byte-wise (the markers are ASCII). */
function decodeTail(head: Buffer, tail: Buffer): string {
  if (head[0] === 0xff && head[1] === 0xfe) return tail.subarray(tail.length % 2).toString('utf16le');
  if (head[0] === 0xfe && head[1] === 0xff)
    return Buffer.from(tail.subarray(tail.length % 2))
      .swap16()
      .toString('utf16le');
  return tail.toString('latin1');
}

/** The first non-blank character after any byte-order mark: `<` for XML, `{` for a JSON listings document. */
function firstCharacter(head: Buffer): string {
  const text = isUtf16(head)
    ? decodeTail(head, head).replace(/^\uFEFF/, '')
    : head.toString('latin1').replace(/^\u00EF\u00BB\u00BF/, '');
  return text.trimStart().charAt(0);
}

function xmlComplete(tail: string): Completeness {
  // Comments and processing instructions may follow the root element; the envelope must have closed before them.
  let rest = tail.trimEnd();
  for (;;) {
    const opener = rest.endsWith('-->') ? '<!--' : rest.endsWith('?>') ? '<?' : null;
    const at = opener === null ? -1 : rest.lastIndexOf(opener);
    if (at === -1) break;
    rest = rest.slice(0, at).trimEnd();
  }
  return /<\/AmazonEnvelope\s*>$/.test(rest) ? 'complete' : 'incomplete';
}

/** A JSON document is complete once its root object has closed (writers often leave out the final newline). */
function jsonComplete(tail: string): Completeness {
  return tail.trimEnd().endsWith('}') ? 'complete' : 'incomplete';
}

function flatComplete(tail: string): Completeness {
  return tail.endsWith('\n') || tail.endsWith('\r') ? 'complete' : 'incomplete';
}
