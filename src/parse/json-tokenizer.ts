/**
 * A streaming JSON tokenizer (RFC 8259): text goes in chunk by chunk, events come out with the 1-based line and
 * column where each token starts, and nothing is held but the token being read, so memory does not grow with the
 * document. Grammar errors, nesting deeper than `maxDepth`, a number longer than MAX_NUMBER_LENGTH, a lone
 * surrogate and anything after the root value throw FeedError PARSE_MALFORMED_JSON. A string longer than
 * `maxStringLength` is not kept whole: its event carries its beginning and its full length, for the consumer to
 * refuse — so a 100 MB string costs no more memory than a short one.
 */
import { FeedError } from '../core/errors.js';

export interface JsonPosition {
  line: number;
  column: number;
}

export interface JsonEvents {
  openObject(at: JsonPosition): void;
  closeObject(): void;
  openArray(at: JsonPosition): void;
  closeArray(): void;
  /** A member name; `length` is greater than `text.length` when the name was cut at the limit. */
  key(text: string, length: number, at: JsonPosition): void;
  /** A string value; `length` is greater than `text.length` when the string was cut at the limit. */
  string(text: string, length: number, at: JsonPosition): void;
  /** A number, as its source text (amounts must not pass through a double). */
  number(raw: string, at: JsonPosition): void;
  literal(value: boolean | null, at: JsonPosition): void;
}

export interface TokenizerLimits {
  maxDepth: number;
  maxStringLength: number;
}

/** No number a feed needs is longer; a longer one is an attack on the reader, not data. */
export const MAX_NUMBER_LENGTH = 64;

enum Expect {
  Value,
  /** After `[`: a value or `]`. */
  ValueOrClose,
  /** After `{`: a member name or `}`. */
  KeyOrClose,
  /** After `,` in an object. */
  Key,
  Colon,
  CommaOrClose,
  /** After the root value: only whitespace. */
  Nothing,
}

const WANTED: Readonly<Record<Expect, string>> = {
  [Expect.Value]: 'a value',
  [Expect.ValueOrClose]: "a value or ']'",
  [Expect.KeyOrClose]: "a member name in double quotes or '}'",
  [Expect.Key]: 'a member name in double quotes',
  [Expect.Colon]: "':'",
  [Expect.CommaOrClose]: "',' or the end of the object or array",
  [Expect.Nothing]: 'nothing after the end of the document',
};

const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
const NUMBER_CHAR = /[0-9eE.+-]/;
/** The characters that end a run of plain string content. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what a JSON string must escape
const STRING_SPECIAL = /["\\\u0000-\u001f]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

type Token =
  | { kind: 'none' }
  | {
      kind: 'string';
      isKey: boolean;
      at: JsonPosition;
      text: string;
      length: number;
      /** After a backslash: '' waiting for the escape letter, 'u' plus the hex digits read so far. */
      escape: string | null;
      hadUnicodeEscape: boolean;
    }
  | { kind: 'number'; at: JsonPosition; raw: string }
  | { kind: 'literal'; at: JsonPosition; word: string; read: number };

const NONE: Token = { kind: 'none' };
const LITERALS: Readonly<Record<string, boolean | null>> = { true: true, false: false, null: null };

export class JsonTokenizer {
  private expect: Expect = Expect.Value;
  /** Open containers, innermost last: '{' or '['. */
  private readonly stack: string[] = [];
  private token: Token = NONE;
  private line = 1;
  /** Offset (in UTF-16 code units from the start of the text) of the current line's first character. */
  private lineStart = 0;
  /** Offset of the current chunk's first character. */
  private base = 0;
  private rootSeen = false;

  constructor(
    private readonly events: JsonEvents,
    private readonly limits: TokenizerLimits,
  ) {}

  write(chunk: string): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.token.kind !== 'none') {
        i = this.continueToken(chunk, i);
        continue;
      }
      const c = chunk.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0d) {
        i += 1;
      } else if (c === 0x0a) {
        i += 1;
        this.line += 1;
        this.lineStart = this.base + i;
      } else {
        this.structural(chunk, i);
        i += 1;
      }
    }
    this.base += n;
  }

  /** The end of the text: throws when the document is incomplete. */
  end(): void {
    const token = this.token;
    if (token.kind === 'number') this.finishNumber(token);
    else if (token.kind !== 'none')
      this.fail(token.at, token.kind === 'string' ? 'the document ends inside a string' : 'the document ends early');
    const open = this.stack.at(-1);
    if (open) this.fail(this.here(0), `the document ends before its ${open === '{' ? 'object' : 'array'} is closed`);
    if (!this.rootSeen) this.fail(this.here(0), 'the document holds no value');
  }

  private here(i: number): JsonPosition {
    return { line: this.line, column: this.base + i - this.lineStart + 1 };
  }

  private fail(at: JsonPosition, detail: string): never {
    throw new FeedError('PARSE_MALFORMED_JSON', { line: at.line, column: at.column, detail });
  }

  private structural(chunk: string, i: number): void {
    const ch = chunk[i] as string;
    const at = this.here(i);
    const expect = this.expect;
    const valueWanted = expect === Expect.Value || expect === Expect.ValueOrClose;
    switch (ch) {
      case '{':
      case '[':
        if (!valueWanted) break;
        if (this.stack.length >= this.limits.maxDepth)
          this.fail(at, `objects and arrays are nested deeper than ${this.limits.maxDepth} levels`);
        this.stack.push(ch);
        this.rootSeen = true;
        if (ch === '{') {
          this.expect = Expect.KeyOrClose;
          this.events.openObject(at);
        } else {
          this.expect = Expect.ValueOrClose;
          this.events.openArray(at);
        }
        return;
      case '}':
      case ']': {
        const closes = ch === '}' ? '{' : '[';
        const empty = ch === '}' ? expect === Expect.KeyOrClose : expect === Expect.ValueOrClose;
        if (this.stack.at(-1) !== closes || !(empty || expect === Expect.CommaOrClose)) break;
        this.stack.pop();
        if (ch === '}') this.events.closeObject();
        else this.events.closeArray();
        this.afterValue();
        return;
      }
      case ',':
        if (expect !== Expect.CommaOrClose) break;
        this.expect = this.stack.at(-1) === '{' ? Expect.Key : Expect.Value;
        return;
      case ':':
        if (expect !== Expect.Colon) break;
        this.expect = Expect.Value;
        return;
      case '"': {
        const isKey = expect === Expect.KeyOrClose || expect === Expect.Key;
        if (!isKey && !valueWanted) break;
        this.token = { kind: 'string', isKey, at, text: '', length: 0, escape: null, hadUnicodeEscape: false };
        return;
      }
      default:
        if (valueWanted && (ch === '-' || (ch >= '0' && ch <= '9'))) {
          this.token = { kind: 'number', at, raw: ch };
          return;
        }
        if (valueWanted && (ch === 't' || ch === 'f' || ch === 'n')) {
          const word = ch === 't' ? 'true' : ch === 'f' ? 'false' : 'null';
          this.token = { kind: 'literal', at, word, read: 1 };
          return;
        }
    }
    this.fail(at, `unexpected ${describeChar(ch)}: expected ${WANTED[expect]}`);
  }

  private afterValue(): void {
    this.rootSeen = true;
    this.expect = this.stack.length === 0 ? Expect.Nothing : Expect.CommaOrClose;
  }

  /** Reads on in the token begun earlier; returns where the token (or this chunk) ends. */
  private continueToken(chunk: string, i: number): number {
    const token = this.token;
    switch (token.kind) {
      case 'string':
        return this.continueString(token, chunk, i);
      case 'number':
        return this.continueNumber(token, chunk, i);
      case 'literal':
        return this.continueLiteral(token, chunk, i);
      default:
        return i;
    }
  }

  private continueString(token: Extract<Token, { kind: 'string' }>, chunk: string, from: number): number {
    let i = from;
    while (i < chunk.length) {
      if (token.escape !== null) {
        i = this.continueEscape(token, chunk, i);
        continue;
      }
      STRING_SPECIAL.lastIndex = i;
      const found = STRING_SPECIAL.exec(chunk);
      const end = found ? found.index : chunk.length;
      this.append(token, chunk.slice(i, end));
      if (!found) return chunk.length;
      const c = chunk.charCodeAt(end);
      if (c === 0x22) {
        this.finishString(token);
        return end + 1;
      }
      if (c === 0x5c) {
        token.escape = '';
        i = end + 1;
        continue;
      }
      this.fail(this.here(end), `a control character (U+${hex4(c)}) inside a string must be escaped`);
    }
    return i;
  }

  private continueEscape(token: Extract<Token, { kind: 'string' }>, chunk: string, i: number): number {
    const ch = chunk[i] as string;
    const escape = token.escape ?? '';
    if (escape === '') {
      const plain = ESCAPES[ch];
      if (plain !== undefined) {
        token.escape = null;
        this.append(token, plain);
      } else if (ch === 'u') token.escape = 'u';
      else this.fail(this.here(i), `unknown escape \\${ch} in a string`);
      return i + 1;
    }
    if (!/[0-9a-fA-F]/.test(ch)) this.fail(this.here(i), 'a \\u escape needs four hexadecimal digits');
    const digits = escape + ch;
    if (digits.length === 5) {
      token.escape = null;
      token.hadUnicodeEscape = true;
      this.append(token, String.fromCharCode(parseInt(digits.slice(1), 16)));
    } else token.escape = digits;
    return i + 1;
  }

  private append(token: Extract<Token, { kind: 'string' }>, text: string): void {
    token.length += text.length;
    const room = this.limits.maxStringLength - token.text.length;
    if (room > 0) token.text += room >= text.length ? text : text.slice(0, room);
  }

  private finishString(token: Extract<Token, { kind: 'string' }>): void {
    this.token = NONE;
    if (token.hadUnicodeEscape && LONE_SURROGATE.test(token.text))
      this.fail(token.at, 'a \\u escape makes half a surrogate pair, which is no character');
    if (token.isKey) {
      this.expect = Expect.Colon;
      this.events.key(token.text, token.length, token.at);
      return;
    }
    this.afterValue();
    this.events.string(token.text, token.length, token.at);
  }

  private continueNumber(token: Extract<Token, { kind: 'number' }>, chunk: string, from: number): number {
    let i = from;
    while (i < chunk.length && NUMBER_CHAR.test(chunk[i] as string)) {
      token.raw += chunk[i];
      i += 1;
      if (token.raw.length > MAX_NUMBER_LENGTH)
        this.fail(token.at, `a number of more than ${MAX_NUMBER_LENGTH} characters`);
    }
    if (i < chunk.length) this.finishNumber(token);
    return i;
  }

  private finishNumber(token: Extract<Token, { kind: 'number' }>): void {
    this.token = NONE;
    if (!NUMBER.test(token.raw)) this.fail(token.at, `'${token.raw}' is not a JSON number`);
    this.afterValue();
    this.events.number(token.raw, token.at);
  }

  private continueLiteral(token: Extract<Token, { kind: 'literal' }>, chunk: string, from: number): number {
    let i = from;
    while (i < chunk.length && token.read < token.word.length) {
      if (chunk[i] !== token.word[token.read])
        this.fail(token.at, `unexpected ${describeChar(chunk[i] as string)} in '${token.word}'`);
      token.read += 1;
      i += 1;
    }
    if (token.read === token.word.length) {
      this.token = NONE;
      this.afterValue();
      this.events.literal(LITERALS[token.word] as boolean | null, token.at);
    }
    return i;
  }
}

function hex4(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}

function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f || code === 0xfeff ? `character U+${hex4(code)}` : `'${ch}'`;
}
