/**
 * Splits streamed text into lines (LF, CRLF, or — for old Mac exports — lone CR), numbering them from 1.
 * Synchronous per chunk: a callback per line costs far less than an async iterator step per line. A partial
 * line is kept as pieces, so a very long line costs linear time; beyond `maxLineLength` it is refused.
 */
import { FeedError } from '../core/errors.js';
import { describeChars } from '../core/limits.js';

export type LineHandler = (text: string, lineNumber: number) => void;

/** No row of a flat feed comes near this; a file that has one is not a feed. */
export const MAX_LINE_LENGTH = 8 * 1024 * 1024;

export class LineSplitter {
  private pieces: string[] = [];
  private pendingLength = 0;
  private lineNumber = 0;
  /** Decided on the first chunk: CR alone ends lines when the text has CR but no LF. */
  private crOnly: boolean | undefined;

  constructor(
    private readonly onLine: LineHandler,
    private readonly maxLineLength = MAX_LINE_LENGTH,
  ) {}

  push(input: string): void {
    this.crOnly ??= input.includes('\r') && !input.includes('\n');
    const chunk = this.crOnly ? input.replace(/\r/g, '\n') : input;
    let start = 0;
    let newline = chunk.indexOf('\n');
    while (newline !== -1) {
      if (this.pieces.length === 0)
        this.emit(chunk.slice(start, newline)); // the common case: a line within one chunk
      else {
        this.pieces.push(chunk.slice(start, newline));
        this.emit(this.pieces.join(''));
        this.pieces = [];
        this.pendingLength = 0;
      }
      start = newline + 1;
      newline = chunk.indexOf('\n', start);
    }
    if (start < chunk.length) {
      this.pieces.push(chunk.slice(start));
      this.pendingLength += chunk.length - start;
      if (this.pendingLength > this.maxLineLength) {
        throw new FeedError('FILE_LINE_TOO_LONG', {
          line: this.lineNumber + 1,
          column: 1,
          limit: describeChars(this.maxLineLength),
        });
      }
    }
  }

  /** Emits the last line when the file does not end with a newline. */
  end(): void {
    if (this.pendingLength > 0) this.emit(this.pieces.join(''));
    this.pieces = [];
    this.pendingLength = 0;
  }

  private emit(line: string): void {
    this.lineNumber += 1;
    this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line, this.lineNumber);
  }
}
