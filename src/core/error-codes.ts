/**
 * The one catalogue of feedproc error codes. It is the only place a MWS `ResultMessageCode` number appears.
 * Amazon's numbers are used where the meaning matches (mws-formats.md §10); rules Amazon documents without a
 * known number use the feedproc range 97000–97999. The README's error table mirrors this object (a test checks).
 */
export type ResultCode = 'Error' | 'Warning';
/**
 * `feed`: the file as a whole is rejected; `file`: a remark about the file (message id 0) that rejects nothing;
 * `message`: one message fails or is warned about; `system`: never reaches a report.
 */
export type ErrorScope = 'feed' | 'file' | 'message' | 'system';

export interface ErrorCodeEntry {
  readonly resultMessageCode: number | null;
  readonly resultCode: ResultCode;
  readonly scope: ErrorScope;
  /** Report text; `{name}` placeholders are filled from the context. */
  readonly text: string;
}

const entry = (
  resultMessageCode: number | null,
  scope: ErrorScope,
  text: string,
  resultCode: ResultCode = 'Error',
): ErrorCodeEntry => Object.freeze({ resultMessageCode, resultCode, scope, text });

export const ERROR_CODES = Object.freeze({
  VALIDATE_SCHEMA: entry(5000, 'message', 'XML Parsing Error at Line {line}, Column {column}: {detail}'),
  VALIDATE_BODY_MISMATCH: entry(
    5000,
    'message',
    'XML Parsing Error at Line {line}, Column {column}: Element \'{element}\': the message body does not match the feed\'s MessageType \'{messageType}\'.',
  ),
  VALIDATE_FLAT_VALUE: entry(5000, 'message', 'Row {row}, column {field}: {detail}'),
  VALIDATE_FLAT_ROW: entry(5000, 'message', 'Row {row}: {detail}'),
  PARSE_MALFORMED_XML: entry(5001, 'feed', 'XML Parsing Fatal Error at Line {line}, Column {column}: {detail}'),
  PARSE_DOCTYPE: entry(
    5001,
    'feed',
    'XML Parsing Fatal Error at Line {line}, Column {column}: a DOCTYPE declaration is not allowed in a feed.',
  ),
  PARSE_BAD_ENVELOPE: entry(5001, 'feed', 'XML Parsing Fatal Error at Line {line}, Column {column}: {detail}'),
  PARSE_UNSUPPORTED_MESSAGE_TYPE: entry(
    5001,
    'feed',
    'XML Parsing Fatal Error at Line {line}, Column {column}: MessageType \'{messageType}\' is not supported; supported are {supported}.',
  ),
  PARSE_FEED_TYPE_MISMATCH: entry(
    5001,
    'feed',
    'The file holds a {detected} feed, but it was submitted as {requested}.',
  ),
  PARSE_BAD_ENCODING: entry(5001, 'feed', 'The file could not be decoded as {encoding}: {detail}'),
  FLAT_MISSING_COLUMN: entry(
    90012,
    'feed',
    'The required {column} field is missing from the file. To correct this error, download the template again and use the new copy, or insert the required field into your existing file.',
  ),
  FLAT_UNKNOWN_COLUMN: entry(
    90061,
    'file',
    'The {column} field heading is invalid, so values in this field were ignored. To correct this error, download the template again and use the new copy, or fix the field heading in your existing file.',
    'Warning',
  ),
  FILE_EMPTY: entry(97001, 'feed', 'The file is empty.'),
  FILE_BINARY: entry(97002, 'feed', 'The file is not a text feed: {detail}'),
  FILE_UNKNOWN_FEED_TYPE: entry(
    97003,
    'feed',
    'The feed type could not be determined from the content: {detail}. Submit an MWS XML envelope or a tab-delimited file with a known header row, or name the type with --type.',
  ),
  FLAT_NO_DATA: entry(97004, 'feed', 'The file has a header row but no data rows.'),
  FLAT_EXTRA_CELLS: entry(
    97005,
    'message',
    'Row {row} has {cells} cells but the header has {columns}; the extra values were ignored.',
    'Warning',
  ),
  CLI_USAGE: entry(null, 'system', '{detail}'),
  CLI_FILE_UNREADABLE: entry(null, 'system', 'cannot read {path}: {detail}'),
  INTERNAL: entry(null, 'system', '{detail}'),
} satisfies Record<string, ErrorCodeEntry>);

export type ErrorCode = keyof typeof ERROR_CODES;

/** Fills the `{name}` placeholders of a catalogue text; a missing value stays visible as `{name}`. */
export function formatErrorText(code: ErrorCode, context: Readonly<Record<string, unknown>>): string {
  return ERROR_CODES[code].text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    context[name] === undefined ? whole : String(context[name]),
  );
}
