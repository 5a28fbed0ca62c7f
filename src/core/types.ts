/**
 * Glossary — the code uses these words only in these senses.
 *
 * - feed file: the bytes a seller submits (XML envelope, tab-delimited flat file, or JSON listings document).
 * - feed type: the MWS `FeedType` name, e.g. `_POST_PAYMENT_ADJUSTMENT_DATA_`.
 * - message: one `<Message>` of an XML feed, one data row of a flat file, or one element of a JSON listings
 *   document's `messages`; the unit that succeeds or fails.
 * - message id: the XML `MessageID` or JSON `messageId`, or for flat files the data-row number (1 = first row
 *   under the header row).
 *   Kept as a canonical decimal string because MWS allows 20 digits, more than a JS number holds exactly.
 * - result: one line of a processing report about a message (or, with message id 0, about the file).
 * - report: the processing report of one feed: status, summary counts and results.
 * - rejected: a feed whose file as a whole is unusable; nothing from it is applied.
 */
import type { ErrorCode, ResultCode } from './error-codes.js';

export type FeedFormat = 'xml' | 'flat' | 'json';
/** `listings`: SP-API's JSON listings processing report, the own report of JSON_LISTINGS_FEED. */
export type ReportFormat = 'xml' | 'flat' | 'json' | 'text' | 'listings';
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
  /** The listings attribute at fault (JSON listings feeds), e.g. `fulfillment_availability`. */
  attributeName?: string;
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
  /**
   * Results left out of a report with a result limit (report-builder.ts), by result code; the last result then
   * says so. Absent when nothing was left out.
   */
  omitted?: { errors: number; warnings: number };
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
  | { format: 'flat'; messageId: string; line: number; flatKind: string; row: Record<string, string> }
  | { format: 'json'; messageId: string; line: number; listing: ListingMessage };

/**
 * What feedproc keeps of one valid JSON listings message, as validation read it (validate/listings-attributes.ts):
 * the SKU, the operation and, in order, the changes to the attributes it keeps. Amounts are minor units.
 */
export interface ListingMessage {
  sku: string;
  operationType: 'UPDATE' | 'PARTIAL_UPDATE' | 'PATCH' | 'DELETE';
  changes: ListingChange[];
}

/** `set` replaces the attribute, `merge` overwrites only what is given, `delete` removes it. */
export type ListingChange =
  | { attribute: 'fulfillment_availability'; op: 'set' | 'merge'; availability: ListingAvailability }
  | { attribute: 'fulfillment_availability'; op: 'delete' }
  | { attribute: 'purchasable_offer'; op: 'set' | 'merge'; prices: Record<string, number> }
  /** Without currencies: every price. */
  | { attribute: 'purchasable_offer'; op: 'delete'; currencies: string[] | null };

/** The DEFAULT (merchant-fulfilled) channel's entry of `fulfillment_availability`. */
export interface ListingAvailability {
  quantity?: number;
  leadTimeDays?: number;
  restockDate?: string;
}
