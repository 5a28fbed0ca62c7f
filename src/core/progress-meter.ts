/**
 * Counters a long read advances and a progress display samples (the CLI's progress line, cli/progress-line.ts).
 * Plain numbers on a plain object: counting costs an assignment in the hot loop, and nothing is drawn from there.
 */
export interface ProgressMeter {
  /** Bytes of the file read so far (from its start, the byte order mark included). */
  bytesRead: number;
  /** Messages (flat rows, order-report lines) judged so far. */
  messages: number;
}

export function newProgressMeter(): ProgressMeter {
  return { bytesRead: 0, messages: 0 };
}
