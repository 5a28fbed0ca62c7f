/**
 * Streaming reader of an MWS XML envelope (saxes): memory stays flat whatever the file size, because each
 * child of the root (Header, MessageType, each Message, …) is built as a small tree, handed over, and dropped.
 * Well-formedness problems, a DOCTYPE, and text or data after the root throw FeedError (the feed is rejected).
 * So does a child of the root holding more elements or characters than the limits allow (core/limits.ts): it is
 * refused while it is read, before its tree grows (a node costs ~45 times the bytes of a `<x/>`).
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { FeedError } from '../core/errors.js';
import { DEFAULT_LIMITS, describeChars, type Limits } from '../core/limits.js';
import type { XmlNode, XmlRoot } from './xml-node.js';

export interface XmlFeedHandlers {
  /** Called once when the root element opens; may throw FeedError to reject the feed. */
  onRoot(root: XmlRoot): void;
  /** Called for every complete child of the root, in file order; may throw FeedError. */
  onTopLevel(node: XmlNode): void;
  /** Non-whitespace text directly inside the root element. */
  onRootText(line: number, column: number): void;
}

/** Reads the whole stream; resolves when the document ended cleanly. */
export async function readXmlFeed(
  chunks: AsyncIterable<string>,
  handlers: XmlFeedHandlers,
  limits: Limits = DEFAULT_LIMITS,
): Promise<void> {
  const reader = new EnvelopeReader(handlers, limits);
  for await (const chunk of chunks) reader.write(chunk);
  reader.close();
}

/** libxml2's default limit: deeper documents are refused rather than recursed into. */
const MAX_DEPTH = 256;
/** A run of text or markup this long without a '<' is no feed (a giant value, comment or PI): refused early. */
const MAX_RUN_WITHOUT_MARKUP = 8 * 1024 * 1024;
/** A DOCTYPE can only stand before the root element; this much prolog is searched for one. */
const MAX_PROLOG = 1024 * 1024;

class EnvelopeReader {
  private readonly parser = new SaxesParser({ position: true, xmlns: false } as const);
  private readonly stack: XmlNode[] = [];
  private rootSeen = false;
  /** The first problem: a FeedError for bad input, anything else is a bug and is rethrown as it is. */
  private failure: unknown;
  private startLine = 1;
  private startColumn = 1;
  private sinceMarkup = 0;
  /** Text before the root element, searched for a DOCTYPE before saxes reads it. */
  private prolog = '';
  /** The top-level element being built: where it starts (line, column, character offset) and its element count. */
  private message = { line: 1, column: 1, offset: 0, elements: 0 };

  constructor(
    private readonly handlers: XmlFeedHandlers,
    private readonly limits: Limits,
  ) {
    const p = this.parser;
    p.on('doctype', () => this.fail(new FeedError('PARSE_DOCTYPE', this.here())));
    // No 'error' handler: saxes then throws at the first well-formedness error (see parse) instead of going on
    // through the chunk, which cost an Error and a FeedError per bad character (~1.5 s for 64 KiB of them).
    p.on('opentagstart', (tag) => this.markStart(tag.name.length));
    // Bound methods rather than a closure per event: these run for every element and text of the feed.
    const onText = this.guarded(this.addText);
    p.on('opentag', this.guarded(this.openElement));
    p.on('closetag', this.guarded(this.closeElement));
    p.on('text', onText);
    p.on('cdata', onText);
  }

  write(chunk: string): void {
    if (!this.rootSeen) this.refuseDoctype(chunk);
    this.refuseLongRuns(chunk);
    this.throwIfFailed();
    this.parse(() => this.parser.write(chunk));
    this.throwIfFailed();
  }

  /** A DOCTYPE is refused where it starts, before any of it (entities, a huge internal subset) is read. */
  private refuseDoctype(chunk: string): void {
    if (this.prolog.length > MAX_PROLOG) return;
    this.prolog += chunk;
    const at = this.prolog.indexOf('<!DOCTYPE');
    if (at === -1) return;
    const before = this.prolog.slice(0, at);
    const line = before.split('\n').length;
    this.fail(new FeedError('PARSE_DOCTYPE', { line, column: at - before.lastIndexOf('\n') }));
  }

  private refuseLongRuns(chunk: string): void {
    const lastMarkup = chunk.lastIndexOf('<');
    this.sinceMarkup = lastMarkup === -1 ? this.sinceMarkup + chunk.length : chunk.length - lastMarkup - 1;
    if (this.sinceMarkup > MAX_RUN_WITHOUT_MARKUP) {
      const detail = `more than ${MAX_RUN_WITHOUT_MARKUP / 1048576} MiB of text without markup: no value in a feed is that long.`;
      this.fail(new FeedError('PARSE_MALFORMED_XML', { ...this.here(), detail }));
    }
  }

  close(): void {
    this.parse(() => this.parser.close());
    this.throwIfFailed();
  }

  /** Our own handlers never throw (guard keeps their failure), so what escapes saxes is its first well-formedness error. */
  private parse(step: () => void): void {
    try {
      step();
    } catch (err) {
      this.fail(malformed(err instanceof Error ? err.message : String(err), this.here()));
    }
  }

  private markStart(nameLength: number): void {
    // saxes reports the position after the name and the character that ended it.
    this.startLine = this.parser.line;
    this.startColumn = Math.max(1, this.parser.column - nameLength - 1);
  }

  private openElement(tag: SaxesTagPlain): void {
    const { startLine: line, startColumn: column } = this;
    if (!this.rootSeen) {
      this.rootSeen = true;
      this.prolog = '';
      this.handlers.onRoot({ name: tag.name, attrs: tag.attributes, line, column });
      return;
    }
    if (this.stack.length + 1 >= MAX_DEPTH) {
      throw new FeedError('PARSE_MALFORMED_XML', {
        line,
        column,
        detail: `elements are nested deeper than ${MAX_DEPTH} levels.`,
      });
    }
    this.countElement(line, column);
    const attrs = hasKeys(tag.attributes) ? tag.attributes : null; // saxes makes a fresh object per tag
    const node: XmlNode = {
      name: tag.name,
      attrs,
      children: [],
      text: '',
      line,
      column,
      endLine: line,
      endColumn: column,
    };
    this.stack.at(-1)?.children.push(node);
    this.stack.push(node);
  }

  /** Starts a top-level element's count, or refuses the one being built once it holds too many elements. */
  private countElement(line: number, column: number): void {
    if (this.stack.length === 0) {
      this.message = { line, column, offset: this.parser.position, elements: 1 };
      return;
    }
    this.message.elements += 1;
    if (this.message.elements > this.limits.maxMessageElements) {
      const { line: at, column: col } = this.message;
      throw new FeedError('MESSAGE_TOO_MANY_ELEMENTS', {
        line: at,
        column: col,
        limit: this.limits.maxMessageElements,
      });
    }
    this.checkMessageLength();
  }

  /** Checked at each element and text event: text runs between them are bounded by MAX_RUN_WITHOUT_MARKUP. */
  private checkMessageLength(): void {
    if (this.stack.length === 0 || this.parser.position - this.message.offset <= this.limits.maxMessageChars) return;
    const { line, column } = this.message;
    throw new FeedError('MESSAGE_TOO_LARGE', { line, column, limit: describeChars(this.limits.maxMessageChars) });
  }

  private closeElement(): void {
    this.checkMessageLength();
    const node = this.stack.pop();
    if (!node) return; // the root closed
    node.endLine = this.parser.line;
    node.endColumn = this.parser.column;
    if (this.stack.length === 0) this.handlers.onTopLevel(node);
  }

  private addText(text: string): void {
    const current = this.stack.at(-1);
    this.checkMessageLength();
    if (current) current.text += text;
    else if (this.rootSeen && /[^ \t\r\n]/.test(text)) this.handlers.onRootText(this.parser.line, this.parser.column);
  }

  /** The handler, ignoring events after the first failure and keeping its own failure instead of throwing into saxes. */
  private guarded<T>(handler: (this: EnvelopeReader, value: T) => void): (value: T) => void {
    return (value) => {
      if (this.failure !== undefined) return;
      try {
        handler.call(this, value);
      } catch (err) {
        this.fail(err);
      }
    };
  }

  private fail(err: unknown): void {
    this.failure ??= err;
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private here(): { line: number; column: number } {
    return { line: this.parser.line, column: Math.max(1, this.parser.column) };
  }
}

function hasKeys(record: Record<string, string>): boolean {
  for (const _key in record) return true;
  return false;
}

/** saxes messages look like `3:14: unexpected close tag.`; the position is taken out into the catalogue text. */
function malformed(message: string, fallback: { line: number; column: number }): FeedError {
  const match = /^(?:[^:]*:)?(\d+):(\d+): (.*)$/s.exec(message);
  const line = match ? Number(match[1]) : fallback.line;
  const column = Math.max(1, match ? Number(match[2]) : fallback.column); // saxes says 0 before a line's first character
  return new FeedError('PARSE_MALFORMED_XML', { line, column, detail: match?.[3] ?? message });
}
