/**
 * Streaming reader of a JSON_LISTINGS_FEED document (SP-API's listings feed v2): `{ "header": {…}, "messages":
 * [ {…}, … ] }`. Like the XML reader, memory stays flat whatever the file size: the header and each message are
 * built as small values, handed over with where they start, and dropped. The members may come in any order.
 * Bad JSON, nesting deeper than MAX_DEPTH and a root that is not an object, or `messages` that is not an array,
 * throw FeedError (the feed is rejected); a duplicate key, an oversized string or an oversized message are kept
 * as the part's problem, for validation to report on that message.
 */
import { FeedError } from '../core/errors.js';
import { DEFAULT_LIMITS, describeChars, type Limits } from '../core/limits.js';
import { JsonTokenizer, type JsonEvents, type JsonPosition } from './json-tokenizer.js';

/** Far deeper than any listings attribute goes (about 12 levels); deeper documents are refused, not recursed into. */
export const MAX_DEPTH = 32;
/** Longer strings are not kept: the message (or the header) holding one is refused. */
export const MAX_STRING_LENGTH = 64 * 1024;
/**
 * What one message or the header may hold, in characters of its strings and names plus 8 per value; a lower
 * FEEDPROC_MAX_MESSAGE_CHARS lowers it. FEEDPROC_MAX_MESSAGE_ELEMENTS bounds the number of values as well.
 */
export const MAX_PART_SIZE = 1024 * 1024;

/** The bounds of one part, from the configured limits. */
interface PartBounds {
  size: number;
  values: number;
}

/** The header or one message, as read. */
export interface JsonPart {
  value: unknown;
  line: number;
  column: number;
  /** Where each value inside the part starts, by JSON Pointer (`''` is the part itself). */
  positions: Map<string, JsonPosition>;
  /** The source text of each number, by JSON Pointer: amounts are read from it, never from a double. */
  numbers: Map<string, string>;
  /** The first reason the value is not the part as written (it is then incomplete), or null. */
  problem: JsonPartProblem | null;
}

export interface JsonPartProblem extends JsonPosition {
  pointer: string;
  detail: string;
}

export interface JsonListingsHandlers {
  onHeader(header: JsonPart): void;
  onMessage(message: JsonPart): void;
  /** A member of the root object other than `header` and `messages`: its value is skipped. */
  onOtherMember(name: string, at: JsonPosition): void;
}

export interface JsonListingsShape {
  /** Where the `messages` array opened, or null when there is none. */
  messages: JsonPosition | null;
  header: boolean;
  /** Where the root object closed. */
  end: JsonPosition;
}

/** Reads the whole stream; resolves when the document ended cleanly. */
export async function readJsonListingsFeed(
  chunks: AsyncIterable<string>,
  handlers: JsonListingsHandlers,
  limits: Limits = DEFAULT_LIMITS,
): Promise<JsonListingsShape> {
  const bounds = { size: Math.min(MAX_PART_SIZE, limits.maxMessageChars), values: limits.maxMessageElements };
  const reader = new DocumentReader(handlers, bounds);
  const tokenizer = new JsonTokenizer(reader, { maxDepth: MAX_DEPTH, maxStringLength: MAX_STRING_LENGTH });
  for await (const chunk of chunks) tokenizer.write(chunk);
  tokenizer.end();
  return reader.shape();
}

/** Follows the root object's members and hands each part to a PartBuilder. */
class DocumentReader implements JsonEvents {
  private depth = 0;
  private member: string | null = null;
  private readonly members = new Set<string>();
  private part: PartBuilder | null = null;
  /** Depth of the value being skipped (a member other than header and messages), or 0. */
  private skipping = 0;
  private inMessages = false;
  private messagesAt: JsonPosition | null = null;
  private last: JsonPosition = { line: 1, column: 1 };

  constructor(
    private readonly handlers: JsonListingsHandlers,
    private readonly bounds: PartBounds,
  ) {}

  shape(): JsonListingsShape {
    return { messages: this.messagesAt, header: this.members.has('header'), end: this.last };
  }

  openObject(at: JsonPosition): void {
    this.open(at, 'object');
  }

  openArray(at: JsonPosition): void {
    this.open(at, 'array');
  }

  closeObject(): void {
    this.close();
  }

  closeArray(): void {
    this.close();
  }

  key(text: string, length: number, at: JsonPosition): void {
    this.last = at;
    if (this.part) return this.part.key(text, length, at);
    if (this.skipping > 0 || this.depth !== 1) return;
    if (length > text.length) envelope(at, `a member name of ${length} characters`);
    if (this.members.has(text)) envelope(at, `the document has a second member ${quote(text)}`);
    this.members.add(text);
    this.member = text;
  }

  string(text: string, length: number, at: JsonPosition): void {
    this.scalar(at, (part) => part.string(text, length, at));
  }

  number(raw: string, at: JsonPosition): void {
    this.scalar(at, (part) => part.number(raw, at));
  }

  literal(value: boolean | null, at: JsonPosition): void {
    this.scalar(at, (part) => part.literal(value, at));
  }

  private open(at: JsonPosition, kind: 'object' | 'array'): void {
    this.last = at;
    this.depth += 1;
    if (this.part) return this.part.open(kind, at);
    if (this.skipping > 0) return;
    if (this.depth === 1) {
      if (kind !== 'object') envelope(at, 'the document must be a JSON object with header and messages');
      return;
    }
    if (this.depth === 2) return this.startMember(at, kind);
    if (this.inMessages && this.depth === 3) {
      this.part = new PartBuilder(at, this.bounds);
      this.part.open(kind, at);
    }
  }

  private close(): void {
    this.depth -= 1;
    if (this.part) {
      this.part.close();
      if (this.part.done) this.finishPart();
      return;
    }
    if (this.skipping > 0) {
      if (this.depth < this.skipping) this.skipping = 0;
      return;
    }
    if (this.inMessages && this.depth === 1) this.inMessages = false;
  }

  private scalar(at: JsonPosition, into: (part: PartBuilder) => void): void {
    this.last = at;
    if (this.part) {
      into(this.part);
      if (this.part.done) this.finishPart();
      return;
    }
    if (this.skipping > 0) return;
    if (this.depth === 0) envelope(at, 'the document must be a JSON object with header and messages');
    if (this.depth === 1) return this.startMember(at, 'scalar', into);
    if (this.inMessages && this.depth === 2) {
      // A message that is not an object: handed over as it is, for validation to refuse.
      this.part = new PartBuilder(at, this.bounds);
      into(this.part);
      this.finishPart();
    }
  }

  /** The value of a root member starts (at depth 2 for an object or array, 1 for a scalar). */
  private startMember(at: JsonPosition, kind: 'object' | 'array' | 'scalar', into?: (part: PartBuilder) => void): void {
    const member = this.member ?? '';
    if (member === 'messages') {
      if (kind !== 'array') envelope(at, 'messages must be an array of messages');
      this.inMessages = true;
      this.messagesAt = at;
      return;
    }
    if (member === 'header') {
      this.part = new PartBuilder(at, this.bounds);
      if (kind === 'scalar') {
        into?.(this.part);
        this.finishPart();
      } else this.part.open(kind, at);
      return;
    }
    this.handlers.onOtherMember(member, at);
    if (kind !== 'scalar') this.skipping = this.depth;
  }

  private finishPart(): void {
    const part = (this.part as PartBuilder).result();
    this.part = null;
    if (this.inMessages) this.handlers.onMessage(part);
    else this.handlers.onHeader(part);
  }
}

interface Frame {
  container: Record<string, unknown> | unknown[];
  pointer: string;
  /** The member name awaiting its value (objects). */
  key: string | null;
}

/**
 * Builds one part (the header or a message) from the events of its value. Objects have no prototype, so member
 * names such as `__proto__` or `constructor` are plain data. Past MAX_PART_SIZE nothing more is kept, but the
 * events are still followed to the part's end.
 */
class PartBuilder {
  private readonly stack: Frame[] = [];
  private value: unknown = undefined;
  private size = 0;
  private values = 0;
  private problem: JsonPartProblem | null = null;
  private readonly positions = new Map<string, JsonPosition>();
  private readonly numbers = new Map<string, string>();
  done = false;

  constructor(
    private readonly at: JsonPosition,
    private readonly bounds: PartBounds,
  ) {}

  result(): JsonPart {
    return {
      value: this.value,
      line: this.at.line,
      column: this.at.column,
      positions: this.positions,
      numbers: this.numbers,
      problem: this.problem,
    };
  }

  open(kind: 'object' | 'array', at: JsonPosition): void {
    const container = kind === 'object' ? (Object.create(null) as Record<string, unknown>) : [];
    const pointer = this.place(container, at);
    this.stack.push({ container, pointer: pointer ?? '', key: null });
  }

  close(): void {
    this.stack.pop();
    if (this.stack.length === 0) this.done = true;
  }

  key(text: string, length: number, at: JsonPosition): void {
    const frame = this.stack.at(-1) as Frame;
    this.size += text.length; // what is kept: a cut name is its own problem
    if (length > text.length) this.refuse(at, frame.pointer, `a member name of ${length} characters`);
    if (Object.hasOwn(frame.container, text))
      this.refuse(at, `${frame.pointer}/${escapePointer(text)}`, `the member ${quote(text)} is given twice`);
    frame.key = text;
  }

  string(text: string, length: number, at: JsonPosition): void {
    this.size += text.length; // what is kept: a cut string is its own problem
    const pointer = this.place(text, at);
    if (length > text.length)
      this.refuse(at, pointer ?? '', `a string of ${length} characters; at most ${MAX_STRING_LENGTH} are read`);
    this.finishScalar();
  }

  number(raw: string, at: JsonPosition): void {
    const pointer = this.place(Number(raw), at);
    if (pointer !== null) this.numbers.set(pointer, raw);
    this.finishScalar();
  }

  literal(value: boolean | null, at: JsonPosition): void {
    this.place(value, at);
    this.finishScalar();
  }

  private finishScalar(): void {
    if (this.stack.length === 0) this.done = true;
  }

  /** Puts a value where it belongs; returns its pointer, or null when it is not kept (a duplicate, or too much). */
  private place(value: unknown, at: JsonPosition): string | null {
    this.size += 8;
    this.values += 1;
    const frame = this.stack.at(-1);
    if (!frame) {
      this.value = value;
      this.positions.set('', at);
      return '';
    }
    if (this.size > this.bounds.size) {
      const detail = `more than ${describeChars(this.bounds.size)} of data in one part of the document`;
      this.refuse(at, frame.pointer, detail);
      return null;
    }
    if (this.values > this.bounds.values) {
      this.refuse(at, frame.pointer, `more than ${this.bounds.values} values in one part of the document`);
      return null;
    }
    let pointer: string;
    if (Array.isArray(frame.container)) {
      pointer = `${frame.pointer}/${frame.container.length}`;
      frame.container.push(value);
    } else {
      const key = frame.key ?? '';
      frame.key = null;
      if (Object.hasOwn(frame.container, key)) return null; // the first of a duplicated member stays
      pointer = `${frame.pointer}/${escapePointer(key)}`;
      frame.container[key] = value;
    }
    this.positions.set(pointer, at);
    return pointer;
  }

  private refuse(at: JsonPosition, pointer: string, detail: string): void {
    this.problem ??= { line: at.line, column: at.column, pointer, detail };
  }
}

/** RFC 6901: `~` and `/` in a member name. */
export function escapePointer(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

function quote(name: string): string {
  return JSON.stringify(name.length > 100 ? `${name.slice(0, 100)}…` : name);
}

function envelope(at: JsonPosition, detail: string): never {
  throw new FeedError('PARSE_BAD_JSON_ENVELOPE', { line: at.line, column: at.column, detail });
}
