/**
 * Validates a tab-delimited feed as it streams: finds the header row and the feed kind, reports unknown
 * headings (90061, ignored; past LISTED_FILE_REMARKS folded into one result) and missing required ones (90012,
 * rejected), refuses a header wider than the column limit (97032), then checks every data row against the
 * kind's row schema. UTF-8 is tried first; when the bytes are not UTF-8 and no BOM said so, the file is read
 * again as windows-1252 (the MWS flat-file charset, a superset of ISO-8859-1).
 */
import { ERROR_CODES } from '../core/error-codes.js';
import { isOrderReportHeader } from '../parse/order-report.js';
import { FeedError } from '../core/errors.js';
import { LISTED_FILE_REMARKS, type Limits } from '../core/limits.js';
import { feedTypeForFlatKind, type FeedTypeInfo, type FlatKind } from '../core/feed-types.js';
import type { ProgressMeter } from '../core/progress-meter.js';
import type { Report, ValidMessage } from '../core/types.js';
import { DecodeError, decodeFile, type SniffedFile } from '../parse/decode.js';
import {
  MAX_PREAMBLE_LINES,
  detectFlatKind,
  knownHeading,
  looksLikeHeader,
  splitCells,
  templateOf,
} from '../parse/flat-layout.js';
import { LineSplitter, MAX_LINE_LENGTH } from '../parse/line-splitter.js';
import { pausing } from '../parse/pausing.js';
import { ReportBuilder, type ReportHead, type ResultInput } from '../report/report-builder.js';
import { quoted } from '../core/quote.js';
import { identifiers } from './additional-info.js';
import { describeFirstFlatProblem } from './describe-flat-errors.js';
import { columnCatalogue, flatRowValidator } from './flat-schemas.js';
import type { SchemaRegistry } from './schema-registry.js';

export interface FlatValidationInput {
  path: string;
  sniffed: SniffedFile;
  expectedType?: FeedTypeInfo | undefined;
  /** Called for every valid row, in file order. */
  onValid?: ((message: ValidMessage) => void) | undefined;
  /** Called (and awaited) before the file is read again in another encoding. */
  onRestart?: (() => Promise<void>) | undefined;
  /** Awaited before each chunk is read (backpressure from the consumer of onValid). */
  pause?: (() => Promise<void>) | undefined;
  /** Follows the reading: bytes read and rows judged (both start again when the file is read again). */
  meter?: ProgressMeter | undefined;
  limits: Limits;
}

export async function validateFlatFeed(schemas: SchemaRegistry, input: FlatValidationInput): Promise<Report> {
  try {
    return await validateAs(schemas, input, input.sniffed.encoding);
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    if (!input.sniffed.encodingDeclared) {
      await input.onRestart?.();
      if (input.meter) input.meter.messages = 0;
      return validateAs(schemas, input, 'windows-1252');
    }
    const state = new FlatFeedState(schemas, input.sniffed.encoding, input);
    return state.builder.reject(
      state.head(),
      new FeedError('PARSE_BAD_ENCODING', { encoding: err.encoding, detail: err.message }),
    );
  }
}

async function validateAs(schemas: SchemaRegistry, input: FlatValidationInput, encoding: string): Promise<Report> {
  const state = new FlatFeedState(schemas, encoding, input);
  state.builder.countInto(input.meter);
  try {
    if (input.expectedType && input.expectedType.format !== 'flat') {
      throw new FeedError('PARSE_FEED_TYPE_MISMATCH', {
        detected: 'tab-delimited (flat)',
        requested: input.expectedType.feedType,
      });
    }
    const maxLine = Math.min(MAX_LINE_LENGTH, input.limits.maxMessageChars);
    const splitter = new LineSplitter((text, line) => state.onLine(text, line), maxLine);
    for await (const chunk of pausing(
      decodeFile(input.path, encoding, input.sniffed.bomLength, input.meter),
      input.pause,
    )) {
      const nul = chunk.indexOf('\u0000');
      if (nul !== -1) throw new FeedError('FILE_BINARY', { detail: 'it holds a NUL character' });
      splitter.push(chunk);
    }
    splitter.end();
    state.finish();
    return state.builder.complete(state.head());
  } catch (err) {
    if (err instanceof FeedError) return state.builder.reject(state.head(), err);
    throw err;
  }
}

type RowValidator = ReturnType<typeof flatRowValidator>;

interface PreambleRow {
  cells: string[];
  text: string;
  line: number;
}

class FlatFeedState {
  readonly builder: ReportBuilder;
  private readonly expectedType: FeedTypeInfo | undefined;
  private readonly onValid: ((message: ValidMessage) => void) | undefined;
  private readonly limits: Limits;
  private template: string | null = null;
  private preamble: PreambleRow[] = [];
  private headerLine = 0;
  private kind: FlatKind | undefined;
  private rows: RowValidator | undefined;
  /** For each file column: the known column it feeds, or null when it is ignored. */
  private mapping: Array<string | null> = [];
  private columnOrder = new Map<string, number>();
  private dataRows = 0;
  private catalogue: ReturnType<typeof columnCatalogue> | undefined;

  /** Headings of ignored columns: the first few, and how many in all. */
  private readonly unknown = { first: [] as string[], total: 0 };

  constructor(
    private readonly schemas: SchemaRegistry,
    private readonly encoding: string,
    input: FlatValidationInput,
  ) {
    this.expectedType = input.expectedType;
    this.onValid = input.onValid;
    this.limits = input.limits;
    this.builder = new ReportBuilder(input.limits.maxReportResults);
  }

  head(): ReportHead {
    const kind = this.kind ?? this.forcedKind();
    const feedType = kind ? feedTypeForFlatKind(kind).feedType : null;
    return { feedSubmissionId: null, feedType, format: 'flat', encoding: this.encoding, merchantId: null };
  }

  onLine(text: string, line: number): void {
    if (this.rows) this.onDataLine(text, line);
    else this.onPreambleLine(text, line);
  }

  finish(): void {
    if (!this.rows && this.preamble.length > 0) this.chooseHeaderLoosely();
    if (!this.rows)
      throw new FeedError('FILE_UNKNOWN_FEED_TYPE', { detail: 'no header row with known column names was found' });
    if (this.dataRows === 0) throw new FeedError('FLAT_NO_DATA', { line: this.headerLine + 1, column: 1 });
  }

  private columns(): ReturnType<typeof columnCatalogue> {
    this.catalogue ??= columnCatalogue(this.schemas);
    return this.catalogue;
  }

  /**
   * Lines before the header: a `TemplateType=` row, then up to two label rows. A row naming known columns
   * exactly (machine names are lower case) is the header; label rows like `SKU  Price` only count when no
   * row in the first few does, so both Amazon's templates and hand-made headers are understood.
   */
  private onPreambleLine(text: string, line: number): void {
    if (text.trim() === '') return;
    const template = templateOf(text);
    if (template !== null && this.preamble.length === 0) {
      this.template = template;
      return;
    }
    this.refuseWideLine(text, line);
    // A declared type decides what the file is: an order report declared as a feed is refused as a whole.
    if (this.expectedType && this.preamble.length === 0 && isOrderReportHeader(text))
      throw new FeedError('FEED_ORDER_REPORT_DECLARED', { requested: this.expectedType.feedType });
    const cells = splitCells(text);
    this.preamble.push({ cells, text, line });
    if (looksLikeHeader(cells, this.columns(), this.forcedKind(), 'exact'))
      return this.chooseHeader(this.preamble.length - 1);
    if (this.preamble.length >= MAX_PREAMBLE_LINES) this.chooseHeaderLoosely();
  }

  /** A header row wider than the limit is refused before it is split: a million headings are no template. */
  private refuseWideLine(text: string, line: number): void {
    const limit = this.limits.maxFlatColumns;
    let tab = -1;
    for (let cells = 1; cells <= limit; cells += 1) {
      tab = text.indexOf('\t', tab + 1);
      if (tab === -1) return;
    }
    throw new FeedError('FLAT_TOO_MANY_COLUMNS', { line, column: tab + 1, limit });
  }

  private chooseHeaderLoosely(): void {
    const index = this.preamble.findIndex((row) =>
      looksLikeHeader(row.cells, this.columns(), this.forcedKind(), 'any-case'),
    );
    if (index >= 0) return this.chooseHeader(index);
    if (this.forcedKind()) return this.chooseHeader(0);
    throw new FeedError('FILE_UNKNOWN_FEED_TYPE', {
      detail: `none of the first ${MAX_PREAMBLE_LINES} rows is a known header row`,
    });
  }

  /** The chosen row is the header; rows before it were labels, rows after it are data. */
  private chooseHeader(index: number): void {
    const rows = this.preamble;
    this.preamble = [];
    const header = rows[index] as PreambleRow;
    this.onHeader(header.cells, header.line);
    for (const row of rows.slice(index + 1)) this.onDataLine(row.text, row.line);
  }

  private forcedKind(): FlatKind | undefined {
    return this.expectedType?.flatKind ?? undefined;
  }

  private onHeader(cells: string[], line: number): void {
    const catalogue = this.columns();
    const isKnown = (name: string): boolean => Object.values(catalogue).some((known) => known.has(name));
    const columns = cells.map((c) => knownHeading(c, isKnown, 'any-case') ?? c.toLowerCase());
    const kind = this.expectedType?.flatKind ?? detectFlatKind(this.template, columns, this.columns());
    if (!kind)
      throw new FeedError('FILE_UNKNOWN_FEED_TYPE', {
        detail: `the columns ${columns.join(', ')} match no flat feed type`,
      });
    this.kind = kind;
    this.headerLine = line;
    const rows = flatRowValidator(this.schemas, kind);
    this.mapping = columns.map((name, index) => this.mapColumn(rows, name, cells[index] ?? '', index));
    this.reportUnknownColumns();
    const missing = rows.required.filter((name) => !this.columnOrder.has(name));
    for (const column of missing.slice(1))
      this.builder.addFileResult({ code: 'FLAT_MISSING_COLUMN', context: { column } });
    if (missing[0]) throw new FeedError('FLAT_MISSING_COLUMN', { column: missing[0] });
    this.rows = rows;
  }

  private mapColumn(rows: RowValidator, name: string, heading: string, index: number): string | null {
    if (name === '') return null;
    if (rows.known.has(name) && !this.columnOrder.has(name)) {
      this.columnOrder.set(name, index);
      return name;
    }
    this.unknown.total += 1;
    if (this.unknown.first.length < LISTED_FILE_REMARKS) this.unknown.first.push(heading);
    return null;
  }

  /** One 90061 per ignored heading, or, past LISTED_FILE_REMARKS of them, one naming the first few and the total. */
  private reportUnknownColumns(): void {
    const { first, total } = this.unknown;
    if (total <= LISTED_FILE_REMARKS) {
      for (const column of first) this.builder.addFileResult({ code: 'FLAT_UNKNOWN_COLUMN', context: { column } });
      return;
    }
    const columns = first.map((heading) => quoted(heading)).join(', ');
    const context = { columns, more: total - first.length, total };
    this.builder.addFileResult({ code: 'FLAT_UNKNOWN_COLUMNS', context });
  }

  private onDataLine(text: string, line: number): void {
    const row = line - this.headerLine;
    if (text.trim() === '') return;
    this.dataRows += 1;
    // Cells past the header's width are only looked at for being non-blank, never split out one by one.
    const cells = text.split('\t', this.mapping.length + 1);
    const values: Record<string, string> = {};
    for (let i = 0; i < this.mapping.length; i += 1) {
      const name = this.mapping[i];
      const value = name ? cells[i]?.trim() : undefined;
      if (name && value) values[name] = value;
    }
    const problems = this.rowProblems(values, cells, text, row, line);
    this.builder.addMessage(String(row), problems);
    if (this.onValid && this.kind && !problems.some((p) => ERROR_CODES[p.code].resultCode === 'Error')) {
      this.onValid({ format: 'flat', messageId: String(row), line, flatKind: this.kind, row: values });
    }
  }

  private rowProblems(
    values: Record<string, string>,
    cells: string[],
    text: string,
    row: number,
    line: number,
  ): ResultInput[] {
    const problems: ResultInput[] = [];
    const validate = this.rows?.validate;
    if (validate && !validate(values)) {
      const problem = describeFirstFlatProblem(validate.errors ?? [], this.columnOrder);
      if (problem) {
        const index = problem.field === null ? 0 : (this.columnOrder.get(problem.field) ?? 0);
        const position = {
          line,
          column: cellColumn(text, index),
          ...(problem.field ? { element: problem.field } : {}),
        };
        const code = problem.field === null ? 'VALIDATE_FLAT_ROW' : 'VALIDATE_FLAT_VALUE';
        problems.push({ code, context: { row, ...problem }, position });
      }
    }
    const width = this.mapping.length;
    if (cells.length > width && /\S/.test(text.slice(cellColumn(text, width) - 1))) {
      const context = { row, cells: countCells(text), columns: width };
      problems.push({ code: 'FLAT_EXTRA_CELLS', context, position: { line, column: cellColumn(text, width) } });
    }
    if (problems.length === 0) return problems; // valid rows, the common case, need no identifiers
    const additionalInfo = identifiers(
      values['order-id'],
      values['order-item-id'] ?? values['amazon-order-item-code'],
      values['sku'],
    );
    return problems.map((problem) => ({ ...problem, additionalInfo }));
  }
}

function countCells(text: string): number {
  let cells = 1;
  for (let tab = text.indexOf('\t'); tab !== -1; tab = text.indexOf('\t', tab + 1)) cells += 1;
  return cells;
}

/** 1-based character column where the cell with the given index starts. */
function cellColumn(text: string, index: number): number {
  let offset = 0;
  for (let i = 0; i < index; i += 1) {
    const tab = text.indexOf('\t', offset);
    if (tab === -1) return text.length + 1;
    offset = tab + 1;
  }
  return offset + 1;
}
