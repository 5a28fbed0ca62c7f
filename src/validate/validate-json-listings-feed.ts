/**
 * Validates a JSON_LISTINGS_FEED document as it streams (docs/json-listings-feed.md): the header against
 * json-listings-feed.schema.json#/$defs/header (a bad one, a missing one, or more than MAX_MESSAGES messages
 * reject the feed), then each message against #/$defs/message and what feedproc keeps of it
 * (listings-attributes.ts). A message's problem is an Error on that message, with the attribute at fault when
 * there is one. Memory does not grow with the file: only results are kept, and at most a result limit of them.
 */
import { FeedError } from '../core/errors.js';
import type { Limits } from '../core/limits.js';
import { JSON_LISTINGS_FEED, type FeedTypeInfo } from '../core/feed-types.js';
import type { ProgressMeter } from '../core/progress-meter.js';
import type { Report, ValidMessage } from '../core/types.js';
import { DecodeError } from '../parse/decode.js';
import { readJsonListingsFeed, type JsonListingsShape, type JsonPart } from '../parse/json-listings-reader.js';
import type { JsonPosition } from '../parse/json-tokenizer.js';
import { ReportBuilder, type ReportHead, type ResultInput } from '../report/report-builder.js';
import { identifiers } from './additional-info.js';
import { describeFirstJsonProblem, readablePath } from './describe-json-errors.js';
import { readListing } from './listings-attributes.js';
import type { SchemaRegistry } from './schema-registry.js';

/** Amazon's limit for one JSON_LISTINGS_FEED document (listings-feed-schema-v2.json, `messages.maxItems`). */
export const MAX_MESSAGES = 25_000;

const SCHEMA = 'json-listings-feed.schema.json';

export interface JsonValidationInput {
  chunks: AsyncIterable<string>;
  encoding: string;
  /** The file began with a byte order mark (skipped; a warning says so). */
  bom: boolean;
  expectedType?: FeedTypeInfo | undefined;
  onValid?: ((message: ValidMessage) => void) | undefined;
  /** Counts the messages judged (the bytes are counted by whoever reads the chunks). */
  meter?: ProgressMeter | undefined;
  limits: Limits;
}

/** Never throws for bad data: a rejected feed is a report with status Rejected. */
export async function validateJsonListingsFeed(schemas: SchemaRegistry, input: JsonValidationInput): Promise<Report> {
  const state = new ListingsFeedState(schemas, input);
  state.builder.countInto(input.meter);
  try {
    if (input.expectedType && input.expectedType.format !== 'json')
      throw new FeedError('PARSE_FEED_TYPE_MISMATCH', {
        detected: JSON_LISTINGS_FEED,
        requested: input.expectedType.feedType,
      });
    if (input.encoding !== 'UTF-8')
      throw new FeedError('PARSE_BAD_ENCODING', {
        encoding: input.encoding,
        detail: 'a JSON listings document must be UTF-8 (RFC 8259)',
      });
    if (input.bom) state.builder.addFileResult({ code: 'JSON_BYTE_ORDER_MARK' });
    state.finish(await readJsonListingsFeed(input.chunks, state, input.limits));
    return state.builder.complete(state.head());
  } catch (err) {
    if (err instanceof FeedError) return state.builder.reject(state.head(), err);
    if (err instanceof DecodeError) {
      const declared = new FeedError('PARSE_BAD_ENCODING', { encoding: err.encoding, detail: err.message });
      return state.builder.reject(state.head(), declared);
    }
    throw err;
  }
}

class ListingsFeedState {
  readonly builder: ReportBuilder;
  private readonly header;
  private readonly message;
  private sellerId: string | null = null;
  private count = 0;
  /** Where each messageId was first used (at most MAX_MESSAGES of them). */
  private readonly ids = new Map<number, number>();

  constructor(
    schemas: SchemaRegistry,
    private readonly input: JsonValidationInput,
  ) {
    this.builder = new ReportBuilder(input.limits.maxReportResults);
    this.header = schemas.byName(`${SCHEMA}#/$defs/header`);
    this.message = schemas.byName(`${SCHEMA}#/$defs/message`);
  }

  head(): ReportHead {
    return {
      feedSubmissionId: null,
      feedType: JSON_LISTINGS_FEED,
      format: 'json',
      encoding: this.input.encoding,
      merchantId: this.sellerId,
    };
  }

  onHeader(part: JsonPart): void {
    const problem = part.problem ?? this.schemaProblem(this.header, part, 'header');
    if (problem) throw envelopeError(problem, problem.detail);
    const header = part.value as { sellerId: string; report?: unknown };
    this.sellerId = header.sellerId;
    const report = part.positions.get('/report');
    if (report) {
      const reason = "feedproc's processing report lists issues only, no listings items";
      this.builder.addFileResult({
        code: 'JSON_PROPERTY_IGNORED',
        context: { ...report, name: 'header.report', reason },
        position: report,
      });
    }
  }

  onOtherMember(name: string, at: JsonPosition): void {
    const reason = 'it is not part of a JSON_LISTINGS_FEED document';
    this.builder.addFileResult({
      code: 'JSON_PROPERTY_IGNORED',
      context: { ...at, name: JSON.stringify(name), reason },
      position: at,
    });
  }

  onMessage(part: JsonPart): void {
    this.count += 1;
    if (this.count > MAX_MESSAGES)
      throw envelopeError(
        part,
        `messages holds more than ${MAX_MESSAGES.toLocaleString('en-US')} messages, the most one JSON_LISTINGS_FEED may have; split the feed.`,
      );
    const value = part.value as Record<string, unknown> | null;
    const messageId = messageIdOf(value);
    const sku = typeof value?.['sku'] === 'string' ? value['sku'] : undefined;
    const additionalInfo = identifiers(undefined, undefined, sku);
    const problem = this.messageProblem(part);
    if (problem) {
      this.builder.addMessage(messageId, [{ ...problem, additionalInfo }]);
      return;
    }
    const read = readListing(part);
    const problems = [...(read.error ? [read.error] : []), ...read.warnings].map((p) => ({ ...p, additionalInfo }));
    this.builder.addMessage(messageId, problems);
    if (!read.error) this.input.onValid?.({ format: 'json', messageId, line: part.line, listing: read.listing });
  }

  /** The end of the document: it needs a header and at least one message. */
  finish(shape: JsonListingsShape): void {
    if (!shape.header) throw envelopeError(shape.end, 'the document has no header.');
    if (!shape.messages) throw envelopeError(shape.end, 'the document has no messages.');
    if (this.count === 0) throw envelopeError(shape.messages, 'messages holds no message; at least one is required.');
  }

  private messageProblem(part: JsonPart): ResultInput | null {
    const value = part.value as Record<string, unknown> | null;
    const repeated = this.repeated(part);
    const problem =
      part.problem ?? this.schemaProblem(this.message, part, 'the message', value?.['operationType']) ?? repeated;
    if (!problem) return null;
    const position = { line: problem.line, column: problem.column };
    const attributeName = attributeAt(problem.pointer, value);
    return {
      code: 'VALIDATE_JSON_MESSAGE',
      context: { ...position, detail: problem.detail },
      position: attributeName ? { ...position, element: attributeName } : position,
      attributeName,
    };
  }

  private schemaProblem(
    validate: SchemaRegistry['message'],
    part: JsonPart,
    name: string,
    operationType?: unknown,
  ): ReturnType<typeof describeFirstJsonProblem> {
    if (validate(part.value)) return null;
    const found = describeFirstJsonProblem(validate.errors ?? [], part.positions, name, operationType);
    return found ?? { pointer: '', line: part.line, column: part.column, detail: `${name} is not valid.` };
  }

  /** Amazon: a messageId is unique within the feed (every message's id counts, valid or not). */
  private repeated(part: JsonPart): ReturnType<typeof describeFirstJsonProblem> {
    const id = Number(messageIdOf(part.value as Record<string, unknown> | null));
    if (id === 0) return null;
    const first = this.ids.get(id);
    if (first === undefined) {
      this.ids.set(id, part.line);
      return null;
    }
    const at = part.positions.get('/messageId') ?? part;
    const detail = `messageId ${id} is used by the message at line ${first} already; each message needs its own.`;
    return { pointer: '/messageId', line: at.line, column: at.column, detail };
  }
}

/** The attribute a problem at `pointer` concerns: `/attributes/<name>/…`, or the path of the patch it is in. */
function attributeAt(pointer: string, message: Record<string, unknown> | null): string | undefined {
  const attribute = /^\/attributes\/([^/]+)/.exec(pointer);
  if (attribute) return readablePath(`/${attribute[1] ?? ''}`, 'the message');
  const patch = /^\/patches\/(\d+)/.exec(pointer);
  if (!patch) return undefined;
  const path = (message?.['patches'] as Array<{ path?: unknown }> | undefined)?.[Number(patch[1])]?.path;
  return typeof path === 'string' && /^\/attributes\/[^/]+$/.test(path)
    ? readablePath(path.slice('/attributes'.length), 'the message')
    : undefined;
}

/** The messageId as text when it is a valid one; otherwise 0, like an XML message without a usable MessageID. */
function messageIdOf(value: Record<string, unknown> | null): string {
  const id = value?.['messageId'];
  return typeof id === 'number' && Number.isInteger(id) && id >= 1 && id <= 2147483647 ? String(id) : '0';
}

function envelopeError(at: JsonPosition, detail: string): FeedError {
  return new FeedError('PARSE_BAD_JSON_ENVELOPE', { line: at.line, column: at.column, detail });
}
