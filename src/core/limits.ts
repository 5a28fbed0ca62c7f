/**
 * The bounds that keep one hostile or careless file from growing memory, Redis or a report without end. Each is
 * a setting (config.ts, FEEDPROC_MAX_*); DEFAULT_LIMITS are the schema's defaults, for code that runs without a
 * configuration (tests, the bench's in-process validation). See docs/limits.md.
 */
import type { Config } from './config.js';

export interface Limits {
  /** Results a report lists; past it results are counted and a last result (97012) says how many were left out. */
  readonly maxReportResults: number;
  /** Cells of a flat file's header row; a file with more is rejected (97032). */
  readonly maxFlatColumns: number;
  /** Elements (XML) or values (JSON) in one message; a message with more is rejected before it is built. */
  readonly maxMessageElements: number;
  /** Characters of one message (an XML top-level element, a flat row, a JSON message). */
  readonly maxMessageChars: number;
}

export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxReportResults: 10_000,
  maxFlatColumns: 2000,
  maxMessageElements: 100_000,
  maxMessageChars: 16 * 1024 * 1024,
});

/** Unknown-column remarks (90061) listed one by one; more are folded into one result naming the first of them. */
export const LISTED_FILE_REMARKS = 5;

export function limitsOf(config: Config): Limits {
  return Object.freeze({
    maxReportResults: config.maxReportResults,
    maxFlatColumns: config.maxFlatColumns,
    maxMessageElements: config.maxMessageElements,
    maxMessageChars: config.maxMessageChars,
  });
}

/** A character count for report texts: `16 MiB`, `512 KiB` or `900 characters`. */
export function describeChars(chars: number): string {
  if (chars >= 1048576 && chars % 1048576 === 0) return `${chars / 1048576} MiB`;
  if (chars >= 1024 && chars % 1024 === 0) return `${chars / 1024} KiB`;
  return `${chars} characters`;
}
