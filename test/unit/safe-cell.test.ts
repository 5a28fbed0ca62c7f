import { importSummary } from '../../src/apply/import-orders.js';
import { safeCell } from '../../src/core/safe-cell.js';
import { withOriginalName } from '../../src/ingest/file-names.js';

describe('safeCell', () => {
  it('prefixes with a quote every value a spreadsheet would read as a formula', () => {
    for (const value of ['=1+1', '+1', '-2', '@SUM(A1:A2)', '\tx', '\rx', '=HYPERLINK("http://e.x","y")'])
      expect(safeCell(value)).toBe(`'${value}`);
  });

  it('leaves other values as they are', () => {
    for (const value of ['', 'SKU-1', ' =1', "'=1", '1-2', 'a=b', '0']) expect(safeCell(value)).toBe(value);
  });

  it('keeps a signed number in a numeric column, but not a formula there', () => {
    for (const value of ['-2', '+1', '-0.5', '+.5', '-3.']) expect(safeCell(value, 'numeric')).toBe(value);
    for (const value of ['-2+cmd', '=1', '@1', '-', '+-1']) expect(safeCell(value, 'numeric')).toBe(`'${value}`);
  });
});

describe('the drop folder’s other tab-separated lines', () => {
  const formula = `=HYPERLINK("http://e.x","y")${'x'.repeat(200)}.txt`;

  it('quotes a formula file name in the original-file-name line of a shortened flat report', () => {
    const text = [...withOriginalName(['summary\n'], 'txt', formula)].join('');
    expect(text.split('\n')).toContain(`original-file-name\t'${formula}`);
  });

  it('quotes a formula file name that starts the lines of an import report', () => {
    const report = { encoding: 'UTF-8', orders: [], skipped: [{ line: 3, reason: 'no order-id' }] };
    const counts = { orders: 0, items: 0, created: 0, updated: 0, unchanged: 0 };
    for (const line of importSummary('@SUM(A1).txt', report, counts).split('\n').filter(Boolean))
      expect(line.startsWith("'@SUM(A1).txt:")).toBe(true);
  });
});
