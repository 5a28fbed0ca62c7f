/**
 * Cells of the tab-separated outputs (the flat report, the text report's file names, `feeds`) that spreadsheets
 * would evaluate: a value starting with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
 * LibreOffice and Google Sheets (CSV/TSV injection). Such a value gets a leading `'`, which spreadsheets read as
 * "text" and hide. A signed number in a numeric column stays as it is: it is a number, not a formula.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const SIGNED_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

export function safeCell(value: string, column: 'text' | 'numeric' = 'text'): string {
  if (!FORMULA_START.test(value)) return value;
  if (column === 'numeric' && SIGNED_NUMBER.test(value)) return value;
  return `'${value}`;
}
