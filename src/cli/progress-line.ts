/**
 * The progress line of long CLI work (docs/cli.md#progress): on a terminal only, one line on stderr redrawn in
 * place (carriage return, erase line), at most ten times a second, erased before the report prints. While the file
 * is read it shows bytes read and messages per second; while workers apply it, messages applied of the total.
 * Written here rather than taken from a progress-bar library: it is a line of text and a timer, and those libraries
 * bring templates, bars and their own terminal detection that this does not need (docs/dependencies.md).
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { newProgressMeter, type ProgressMeter } from '../core/progress-meter.js';

/** Files below this finish before a progress line would tell anyone anything. */
export const PROGRESS_MIN_BYTES = 1024 * 1024;
const REDRAW_MS = 100;
const ERASE = '\r\x1b[2K';

export interface Applied {
  done: number;
  total: number;
}

export interface ProgressLine {
  /** Advanced by the reading; undefined when no line is shown, so the readers count nothing. */
  readonly meter: ProgressMeter | undefined;
  /** The reading is over: from now on the line shows `sample()` (`unit` applied of the total). */
  applying(sample: () => Promise<Applied | null> | Applied | null, unit?: string): void;
  /** Erases the line and stops redrawing. Safe to call more than once. */
  end(): void;
}

/** Where the line goes and what decides whether it is drawn. */
export interface ProgressTerminal {
  stderr: { isTTY?: boolean; columns?: number; write(text: string): unknown };
  stdout: { isTTY?: boolean };
}

/**
 * A line only on a terminal (stderr), only for files over PROGRESS_MIN_BYTES, and never when JSON goes to a pipe
 * (a program is reading the output, and whoever runs it does not want the noise on the terminal either).
 */
export function progressWanted(terminal: ProgressTerminal, fileBytes: number, format: string | undefined): boolean {
  if (terminal.stderr.isTTY !== true) return false;
  if (format === 'json' && terminal.stdout.isTTY !== true) return false;
  return fileBytes > PROGRESS_MIN_BYTES;
}

const SILENT: ProgressLine = { meter: undefined, applying: () => undefined, end: () => undefined };

/** Starts the line for `file` (drawn at once) or returns one that does nothing. */
export async function startProgress(
  file: string,
  format: string | undefined,
  terminal: ProgressTerminal = { stderr: process.stderr, stdout: process.stdout },
): Promise<ProgressLine> {
  const size = await stat(file).then(
    (s) => s.size,
    () => 0,
  );
  if (!progressWanted(terminal, size, format)) return SILENT;
  return new DrawnProgress(terminal.stderr, basename(file), size);
}

class DrawnProgress implements ProgressLine {
  readonly meter = newProgressMeter();
  private readonly started = Date.now();
  private readonly timer: NodeJS.Timeout;
  private sample: (() => Promise<Applied | null> | Applied | null) | null = null;
  private unit = 'messages';
  private sampling = false;
  private ended = false;

  constructor(
    private readonly stderr: ProgressTerminal['stderr'],
    private readonly name: string,
    private readonly size: number,
  ) {
    this.timer = setInterval(() => this.redraw(), REDRAW_MS);
    this.timer.unref();
    this.draw(this.readingText());
  }

  applying(sample: () => Promise<Applied | null> | Applied | null, unit = 'messages'): void {
    this.sample = sample;
    this.unit = unit;
    this.redraw();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.timer);
    this.stderr.write(ERASE);
  }

  private redraw(): void {
    if (this.ended) return;
    if (!this.sample) return this.draw(this.readingText());
    if (this.sampling) return; // a slow Redis: the next tick tries again, no queue of reads builds up
    this.sampling = true;
    Promise.resolve()
      .then(() => this.sample?.())
      .then(
        (applied) => {
          if (applied) this.draw(applyingText(this.name, applied, this.unit));
        },
        () => undefined, // the command's own calls report a Redis failure; the line only goes quiet
      )
      .finally(() => (this.sampling = false));
  }

  private draw(text: string): void {
    if (this.ended) return;
    // A terminal whose size is unknown says 0 columns; one character short of the width keeps the cursor on the line.
    const width = (this.stderr.columns || 80) - 1;
    this.stderr.write(`${ERASE}${text.length > width ? text.slice(0, width) : text}`);
  }

  private readingText(): string {
    const seconds = Math.max((Date.now() - this.started) / 1000, 0.001);
    const { bytesRead, messages } = this.meter;
    const rate = Math.round(messages / seconds);
    return `${this.name}: read ${megabytes(bytesRead)} of ${megabytes(this.size)} MB, ${count(messages)} messages (${count(rate)}/s)`;
  }
}

function applyingText(name: string, applied: Applied, unit: string): string {
  return `${name}: applied ${count(applied.done)} of ${count(applied.total)} ${unit}`;
}

const megabytes = (bytes: number): string => (bytes / 1_000_000).toFixed(1);
const count = (n: number): string => n.toLocaleString('en-US');
