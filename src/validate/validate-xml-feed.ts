/**
 * Validates an XML feed as it streams: the envelope and header first (a bad one rejects the feed), then each
 * message against message.schema.json and the envelope's MessageType. Memory does not grow with the file:
 * only results for failed messages are kept.
 */
import { FeedError } from '../core/errors.js';
import type { Limits } from '../core/limits.js';
import { XML_MESSAGE_TYPES, feedTypeForMessageType, type FeedTypeInfo } from '../core/feed-types.js';
import type { Report, ValidMessage } from '../core/types.js';
import { DecodeError } from '../parse/decode.js';
import type { XmlNode, XmlRoot } from '../parse/xml-node.js';
import { readXmlFeed } from '../parse/xml-reader.js';
import { ReportBuilder, type ReportHead, type ResultInput } from '../report/report-builder.js';
import { additionalInfoOf } from './additional-info.js';
import { describeFirstXmlProblem } from './describe-xml-errors.js';
import type { ProgressMeter } from '../core/progress-meter.js';
import type { SchemaRegistry } from './schema-registry.js';
import { xmlToJson, type JsonView } from './xml-to-json.js';

export interface XmlValidationInput {
  chunks: AsyncIterable<string>;
  encoding: string;
  /** From `--type`: the feed must be of this type. */
  expectedType?: FeedTypeInfo | undefined;
  /** Called for every valid message, in file order (for the pipeline; validate alone passes none). */
  onValid?: ((message: ValidMessage) => void) | undefined;
  /** Counts the messages judged (the bytes are counted by whoever reads the chunks). */
  meter?: ProgressMeter | undefined;
  limits: Limits;
}

/** Never throws for bad data: a rejected feed is a report with status Rejected. */
export async function validateXmlFeed(schemas: SchemaRegistry, input: XmlValidationInput): Promise<Report> {
  const state = new XmlFeedState(schemas, input);
  state.builder.countInto(input.meter);
  try {
    await readXmlFeed(input.chunks, state, input.limits);
    state.finish();
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

class XmlFeedState {
  readonly builder: ReportBuilder;
  private readonly preamble: XmlNode[] = [];
  private feedType: FeedTypeInfo | undefined;
  private merchantId: string | null = null;
  private messageCount = 0;
  private rootEnd = { line: 1, column: 1 };
  private rootStart = { line: 1, column: 1 };

  constructor(
    private readonly schemas: SchemaRegistry,
    private readonly input: XmlValidationInput,
  ) {
    this.builder = new ReportBuilder(input.limits.maxReportResults);
  }

  head(): ReportHead {
    return {
      feedSubmissionId: null,
      feedType: (this.feedType ?? this.input.expectedType)?.feedType ?? null,
      format: 'xml',
      encoding: this.input.encoding,
      merchantId: this.merchantId,
    };
  }

  onRoot(root: XmlRoot): void {
    this.rootStart = { line: root.line, column: root.column };
    const namespace = root.attrs['xmlns'];
    if (root.name !== 'AmazonEnvelope' || (namespace !== undefined && namespace !== '')) {
      const name = namespace ? `{${namespace}}${root.name}` : root.name;
      throw envelopeError(root, `Element '${name}': No matching global declaration available for the validation root.`);
    }
    const hints = ['xsi:noNamespaceSchemaLocation', 'xsi:schemaLocation'];
    const stray = Object.keys(root.attrs).find((n) => n !== 'xmlns' && !n.startsWith('xmlns:') && !hints.includes(n));
    if (stray)
      throw envelopeError(
        root,
        `Element 'AmazonEnvelope', attribute '${stray}': The attribute '${stray}' is not allowed.`,
      );
  }

  onRootText(line: number, column: number): void {
    const detail =
      "Element 'AmazonEnvelope': Character content other than whitespace is not allowed because the content type is 'element-only'.";
    throw new FeedError('PARSE_BAD_ENVELOPE', { line, column, detail });
  }

  onTopLevel(node: XmlNode): void {
    this.rootEnd = { line: node.endLine, column: node.endColumn };
    if (node.name !== 'Message') {
      if (this.feedType)
        throw envelopeError(node, `Element '${node.name}': This element is not expected. Expected is ( Message ).`);
      this.preamble.push(node);
      return;
    }
    if (!this.feedType) this.checkEnvelope(node);
    this.messageCount += 1;
    this.validateMessage(node);
  }

  /** End of document: an envelope without any message is incomplete. */
  finish(): void {
    if (this.messageCount === 0) this.checkEnvelope(undefined);
  }

  private checkEnvelope(firstMessage: XmlNode | undefined): void {
    const end = firstMessage ? { line: firstMessage.line, column: firstMessage.column } : this.rootEnd;
    const envelope: XmlNode = {
      name: 'AmazonEnvelope',
      attrs: null,
      children: firstMessage ? [...this.preamble, { ...firstMessage, children: [] }] : this.preamble,
      text: '',
      line: this.rootStart.line,
      column: this.rootStart.column,
      endLine: end.line,
      endColumn: end.column,
    };
    if (!this.schemas.envelope(xmlToJson(envelope))) {
      const problem = describeFirstXmlProblem(envelope, this.schemas.envelope.errors ?? []);
      throw new FeedError('PARSE_BAD_ENVELOPE', { ...end, ...problem });
    }
    const header = this.preamble.find((n) => n.name === 'Header');
    this.merchantId = header?.children.find((n) => n.name === 'MerchantIdentifier')?.text ?? null;
    this.feedType = this.feedTypeOf(this.preamble.find((n) => n.name === 'MessageType'));
  }

  private feedTypeOf(node: XmlNode | undefined): FeedTypeInfo {
    const messageType = node?.text ?? '';
    const where = { line: node?.line ?? 1, column: node?.column ?? 1 };
    const found = feedTypeForMessageType(messageType);
    if (!found) {
      const supported = XML_MESSAGE_TYPES.join(', ');
      throw new FeedError('PARSE_UNSUPPORTED_MESSAGE_TYPE', { ...where, messageType, supported });
    }
    const expected = this.input.expectedType;
    if (expected && expected.feedType !== found.feedType) {
      throw new FeedError('PARSE_FEED_TYPE_MISMATCH', {
        ...where,
        detected: found.feedType,
        requested: expected.feedType,
      });
    }
    return found;
  }

  private validateMessage(message: XmlNode): void {
    const body = message.children.find((c) => c.name !== 'MessageID' && c.name !== 'OperationType');
    const view = xmlToJson(message);
    const problem = this.messageProblem(message, body, view);
    const messageId = messageIdOf(message);
    // Identifiers are only needed for a result; valid messages (the common case) skip the look-up.
    this.builder.addMessage(messageId, problem ? [{ ...problem, additionalInfo: additionalInfoOf(body) }] : []);
    if (!problem && body && this.input.onValid) {
      const fields = view as Record<string, unknown[]>;
      this.input.onValid({
        format: 'xml',
        messageId,
        line: message.line,
        messageType: body.name,
        operationType: (fields['OperationType']?.[0] as string | undefined)?.trim(),
        body: (fields[body.name]?.[0] ?? {}) as Record<string, unknown>,
      });
    }
  }

  private messageProblem(message: XmlNode, body: XmlNode | undefined, view: JsonView): ResultInput | null {
    const validate = this.schemas.message;
    if (!validate(view)) {
      const problem = describeFirstXmlProblem(message, validate.errors ?? []);
      if (problem) {
        const position = { line: problem.line, column: problem.column, element: problem.element };
        return { code: 'VALIDATE_SCHEMA', context: { ...problem }, position };
      }
    }
    const messageType = this.feedType?.messageType;
    if (body && body.name !== messageType) {
      const position = { line: body.line, column: body.column, element: body.name };
      return { code: 'VALIDATE_BODY_MISMATCH', context: { ...position, messageType }, position };
    }
    return null;
  }
}

function envelopeError(at: { line: number; column: number }, detail: string): FeedError {
  return new FeedError('PARSE_BAD_ENVELOPE', { line: at.line, column: at.column, detail });
}

/**
 * The MessageID as a canonical number string. A message without a usable one (missing, 0, not a number) is
 * reported under message id 0 — its description gives its line — because any other number could be the id of
 * another message.
 */
function messageIdOf(message: XmlNode): string {
  const raw = message.children.find((c) => c.name === 'MessageID')?.text.trim() ?? '';
  return /^[0-9]{1,20}$/.test(raw) && /[1-9]/.test(raw) ? raw.replace(/^0+/, '') : '0';
}
