/**
 * When the progress line is drawn and what it writes (src/cli/progress-line.ts); test/e2e/progress-line.test.ts
 * drives it through a real pseudo-terminal.
 */
import { PROGRESS_MIN_BYTES, progressWanted, startProgress } from '../../src/cli/progress-line.js';
import { makeTempDir } from '../helpers/tmp.js';

const ERASE = '\r\x1b[2K';
const tty = { isTTY: true };
const pipe = { isTTY: false };
const terminal = (stderr: { isTTY: boolean }, stdout: { isTTY: boolean }) => ({
  stderr: { ...stderr, write: () => true },
  stdout,
});

describe('the progress line', () => {
  const tmp = makeTempDir();
  afterAll(() => tmp.cleanup());

  it('is wanted only on a terminal, for files over 1 MiB, and not for JSON going to a pipe', () => {
    const big = PROGRESS_MIN_BYTES + 1;
    expect(progressWanted(terminal(tty, tty), big, undefined)).toBe(true);
    expect(progressWanted(terminal(tty, pipe), big, 'xml')).toBe(true);
    expect(progressWanted(terminal(tty, tty), big, 'json')).toBe(true);
    expect(progressWanted(terminal(tty, pipe), big, 'json')).toBe(false);
    expect(progressWanted(terminal(pipe, tty), big, undefined)).toBe(false);
    expect(progressWanted(terminal(tty, tty), PROGRESS_MIN_BYTES, undefined)).toBe(false);
  });

  it('draws at once, cut to the terminal width, counts nothing when off, and is erased once', async () => {
    const file = tmp.file('big.xml', Buffer.alloc(PROGRESS_MIN_BYTES + 10, 0x20));
    const written: string[] = [];
    const stderr = { isTTY: true, columns: 30, write: (text: string) => written.push(text) };
    const line = await startProgress(file, undefined, { stderr, stdout: tty });
    expect(line.meter).toEqual({ bytesRead: 0, messages: 0 });
    expect(written).toEqual([`${ERASE}big.xml: read 0.0 of 1.0 MB, `]); // 29 characters: one short of 30 columns
    line.end();
    line.end();
    expect(written.slice(1)).toEqual([ERASE]);

    const off = await startProgress(file, 'json', { stderr, stdout: pipe });
    expect(off.meter).toBeUndefined();
    off.end();
    expect(written).toHaveLength(2);
  });
});
