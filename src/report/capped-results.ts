/**
 * The one cap on a report's results (FEEDPROC_MAX_REPORT_RESULTS, core/limits.ts), as Amazon caps its
 * processing reports: past the limit results are counted, not kept, and a last result (REPORT_RESULTS_OMITTED,
 * 97012) says how many errors and warnings were left out. The builder applies it while results arrive, so a
 * report's memory stays bounded while it is built; the ledger's refusals are merged under the same cap.
 */
import type { MessageResult, Report } from '../core/types.js';
import { toResult } from './report-builder.js';

export interface OmittedCount {
  errors: number;
  warnings: number;
}

/** Counts one result that did not fit. */
export function countOmitted(omitted: OmittedCount, result: Pick<MessageResult, 'resultCode'>): void {
  if (result.resultCode === 'Error') omitted.errors += 1;
  else omitted.warnings += 1;
}

/**
 * Sorted results cut to `limit`, with what was left out (`prior`: left out earlier) counted and said in a last
 * result; a previous such note is dropped first, so that merging stays exact.
 */
export function capResults(
  sorted: readonly MessageResult[],
  limit: number,
  prior: Report['omitted'],
): Pick<Report, 'results' | 'omitted'> {
  const listed = sorted.filter((r) => r.code !== 'REPORT_RESULTS_OMITTED');
  const omitted = { errors: prior?.errors ?? 0, warnings: prior?.warnings ?? 0 };
  for (let i = limit; i < listed.length; i += 1) countOmitted(omitted, listed[i] as MessageResult);
  return withOmitted(listed.slice(0, limit), omitted, limit);
}

/** The results with, when anything was left out, the last result saying so. */
export function withOmitted(
  results: MessageResult[],
  omitted: OmittedCount,
  limit: number,
): Pick<Report, 'results' | 'omitted'> {
  const count = omitted.errors + omitted.warnings;
  if (count === 0) return { results };
  const context = { limit, omitted: count, errors: omitted.errors, warnings: omitted.warnings };
  return { results: [...results, toResult('0', { code: 'REPORT_RESULTS_OMITTED', context })], omitted: { ...omitted } };
}
