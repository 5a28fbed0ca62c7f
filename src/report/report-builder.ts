/**
 * Collects the outcome of each message and produces the report: counts as Amazon keeps them
 * (processed = successful + with error; a message with only warnings is successful) and results sorted by
 * message id with at most one Error per message.
 */
import { ERROR_CODES, formatErrorText, type ErrorCode } from '../core/error-codes.js';
import type { FeedError } from '../core/errors.js';
import type { ProgressMeter } from '../core/progress-meter.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import type { AdditionalInfo, FeedFormat, MessageResult, Report, SourcePosition } from '../core/types.js';
import { countOmitted, withOmitted } from './capped-results.js';

export interface ResultInput {
  code: ErrorCode;
  context?: Record<string, unknown>;
  additionalInfo?: AdditionalInfo | undefined;
  position?: SourcePosition | undefined;
  attributeName?: string | undefined;
}

export interface ReportHead {
  feedSubmissionId: string | null;
  feedType: string | null;
  format: FeedFormat;
  encoding: string | null;
  merchantId: string | null;
}

export class ReportBuilder {
  private readonly results: MessageResult[] = [];
  private readonly fileResults: MessageResult[] = [];
  private readonly omitted = { errors: 0, warnings: 0 };
  private processed = 0;
  private withError = 0;
  private withWarning = 0;
  private meter: ProgressMeter | undefined;

  /** `maxResults`: the report's cap (capped-results.ts); results past it are only counted. */
  constructor(private readonly maxResults = DEFAULT_LIMITS.maxReportResults) {}

  /** Counts each message into `meter` too (a progress line samples it); returns the builder. */
  countInto(meter: ProgressMeter | undefined): this {
    this.meter = meter;
    return this;
  }

  /** Records one message: its problems (the first Error counts, later Errors are dropped; warnings stay). */
  addMessage(messageId: string, problems: readonly ResultInput[] = []): void {
    this.processed += 1;
    if (this.meter) this.meter.messages += 1;
    let errorSeen = false;
    let warningSeen = false;
    for (const problem of problems) {
      const result = toResult(messageId, problem);
      if (result.resultCode === 'Error') {
        if (errorSeen) continue;
        errorSeen = true;
      } else warningSeen = true;
      this.keep(this.results, result);
    }
    if (errorSeen) this.withError += 1;
    if (warningSeen) this.withWarning += 1;
  }

  /** A result about the file as a whole (message id 0), e.g. an unknown flat column; kept when the feed is rejected too. */
  addFileResult(problem: ResultInput): void {
    this.keep(this.fileResults, toResult('0', problem));
  }

  private keep(into: MessageResult[], result: MessageResult): void {
    if (this.results.length + this.fileResults.length < this.maxResults) into.push(result);
    else countOmitted(this.omitted, result);
  }

  complete(head: ReportHead): Report {
    const results = [...this.fileResults, ...this.results].sort(byMessageId);
    const summary = {
      messagesProcessed: this.processed,
      messagesSuccessful: this.processed - this.withError,
      messagesWithError: this.withError,
      messagesWithWarning: this.withWarning,
    };
    return { ...head, statusCode: 'Complete', summary, ...withOmitted(results, this.omitted, this.maxResults) };
  }

  /** The feed is rejected: nothing counts as processed; the report holds the file-level results only. */
  reject(head: ReportHead, error: FeedError): Report {
    const { line, column } = error.context as { line?: number; column?: number };
    const position = typeof line === 'number' ? { line, column: column ?? 1 } : undefined;
    const fatal = toResult('0', { code: error.code, context: { ...error.context }, position });
    const summary = { messagesProcessed: 0, messagesSuccessful: 0, messagesWithError: 0, messagesWithWarning: 0 };
    const results = [fatal, ...this.fileResults];
    return { ...head, statusCode: 'Rejected', summary, ...withOmitted(results, this.omitted, this.maxResults) };
  }
}

/** One result line from a catalogue code and its context. */
export function toResult(messageId: string, problem: ResultInput): MessageResult {
  const entry = ERROR_CODES[problem.code];
  const result: MessageResult = {
    messageId,
    resultCode: entry.resultCode,
    resultMessageCode: entry.resultMessageCode ?? 0,
    code: problem.code,
    description: formatErrorText(problem.code, problem.context ?? {}),
  };
  if (problem.additionalInfo && Object.keys(problem.additionalInfo).length > 0) {
    result.additionalInfo = problem.additionalInfo;
  }
  if (problem.position) result.position = problem.position;
  if (problem.attributeName !== undefined) result.attributeName = problem.attributeName;
  return result;
}

/** Message ids are canonical digit strings: shorter is smaller, equal lengths compare as text. Stable. */
export function byMessageId(a: MessageResult, b: MessageResult): number {
  return (
    a.messageId.length - b.messageId.length || (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0)
  );
}
