/**
 * Glossary — the code uses these words only in these senses.
 *
 * - feed file: the bytes a seller submits (XML envelope or tab-delimited flat file).
 * - feed type: the MWS `FeedType` name, e.g. `_POST_PAYMENT_ADJUSTMENT_DATA_`.
 * - message: one `<Message>` of an XML feed, or one data row of a flat file; the unit that succeeds or fails.
 * - message id: the XML `MessageID`, or for flat files the data-row number (1 = first row under the header row).
 *   Kept as a canonical decimal string because MWS allows 20 digits, more than a JS number holds exactly.
 * - result: one line of a processing report about a message (or, with message id 0, about the file).
 * - report: the processing report of one feed: status, summary counts and results.
 * - rejected: a feed whose file as a whole is unusable; nothing from it is applied.
 */
import type { ErrorCode, ResultCode } from './error-codes.js';

export type FeedFormat = 'xml' | 'flat';
export type ReportFormat = 'xml' | 'flat' | 'json' | 'text';
export type StatusCode = 'Complete' | 'Rejected';

export interface AdditionalInfo {
  amazonOrderId?: string;
  amazonOrderItemCode?: string;
  sku?: string;
}

/** Where in the feed file a problem is: 1-based line and column, and the element or column it names. */
export interface SourcePosition {
  line: number;
  column: number;
  element?: string;
}

export interface MessageResult {
  messageId: string;
  resultCode: ResultCode;
  resultMessageCode: number;
  /** The catalogue code behind the result. */
  code: ErrorCode;
  description: string;
  additionalInfo?: AdditionalInfo;
  position?: SourcePosition;
}

export interface ReportSummary {
  messagesProcessed: number;
  messagesSuccessful: number;
  messagesWithError: number;
  messagesWithWarning: number;
}

export interface Report {
  feedSubmissionId: string | null;
  feedType: string | null;
  format: FeedFormat;
  encoding: string | null;
  merchantId: string | null;
  statusCode: StatusCode;
  summary: ReportSummary;
  /** Sorted by message id; at most one Error per message. */
  results: MessageResult[];
}

/** A message that passed validation, handed on to be applied (see validate's `onValid`). */
export type ValidMessage =
  | {
      format: 'xml';
      messageId: string;
      line: number;
      messageType: string;
      operationType: string | undefined;
      body: Record<string, unknown>;
    }
  | { format: 'flat'; messageId: string; line: number; flatKind: string; row: Record<string, string> };
