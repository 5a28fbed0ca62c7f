import { safeCell } from '../../src/core/safe-cell.js';

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
