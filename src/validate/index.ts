/**
 * Stage entry point: `validateFeedFile` reads a feed file from disk and returns its processing report, without
 * touching Redis. Bad data never throws; only an unreadable file or a bug does.
 */
import { FeedError } from '../core/errors.js';
import { DEFAULT_LIMITS, type Limits } from '../core/limits.js';
import type { FeedTypeInfo } from '../core/feed-types.js';
import type { ProgressMeter } from '../core/progress-meter.js';
import type { Report, ValidMessage } from '../core/types.js';
import { pausing } from '../parse/pausing.js';
import { decodeFile, sniffFile } from '../parse/decode.js';
import { ReportBuilder } from '../report/report-builder.js';
import type { SchemaRegistry } from './schema-registry.js';
import { validateFlatFeed } from './validate-flat-feed.js';
import { validateJsonListingsFeed } from './validate-json-listings-feed.js';
import { validateXmlFeed } from './validate-xml-feed.js';

export { createSchemaRegistry, type SchemaRegistry } from './schema-registry.js';

export interface ValidateOptions {
  /** `--type`: the feed type the file must be. */
  expectedType?: FeedTypeInfo | undefined;
  /**
   * Called for every valid message in file order. A feed may still be rejected after some calls (a defect at
   * its end): the caller must act on the messages only once the report says Complete.
   */
  onValid?: ((message: ValidMessage) => void) | undefined;
  /** Called when a flat file is read again as windows-1252: every message handed to onValid so far is void. */
  onRestart?: (() => Promise<void>) | undefined;
  /** Awaited before each chunk of the file is read: lets the consumer of onValid hold the reader back. */
  pause?: (() => Promise<void>) | undefined;
  /** Bytes read and messages judged so far, for a progress line. */
  meter?: ProgressMeter | undefined;
  /** The report's result cap and the per-message bounds (core/limits.ts); DEFAULT_LIMITS when not given. */
  limits?: Limits | undefined;
}

export async function validateFeedFile(
  schemas: SchemaRegistry,
  path: string,
  options: ValidateOptions = {},
): Promise<Report> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  let sniffed;
  try {
    sniffed = await sniffFile(path);
  } catch (err) {
    if (!(err instanceof FeedError)) throw err;
    const format = options.expectedType?.format ?? 'xml';
    const head = {
      feedSubmissionId: null,
      feedType: options.expectedType?.feedType ?? null,
      format,
      encoding: null,
      merchantId: null,
    };
    return new ReportBuilder(limits.maxReportResults).reject(head, err);
  }
  const { encoding, bomLength } = sniffed;
  if (sniffed.format === 'json') {
    const chunks = pausing(decodeFile(path, encoding, bomLength, options.meter), options.pause);
    const input = {
      chunks,
      encoding,
      bom: bomLength > 0,
      expectedType: options.expectedType,
      onValid: options.onValid,
      meter: options.meter,
      limits,
    };
    return validateJsonListingsFeed(schemas, input);
  }
  if (sniffed.format === 'xml') {
    const chunks = pausing(decodeFile(path, encoding, bomLength, options.meter), options.pause);
    const { expectedType, onValid, meter } = options;
    return validateXmlFeed(schemas, { chunks, encoding, expectedType, onValid, meter, limits });
  }
  return validateFlatFeed(schemas, {
    path,
    sniffed,
    expectedType: options.expectedType,
    onValid: options.onValid,
    onRestart: options.onRestart,
    pause: options.pause,
    meter: options.meter,
    limits,
  });
}
