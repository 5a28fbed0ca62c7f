import { compileXsdType, xsdPatternToRegExp } from '../../src/validate/xsd-types.js';

describe('compileXsdType', () => {
  const amount = compileXsdType({ base: 'decimal', name: 'BaseCurrencyAmount', totalDigits: 20, fractionDigits: 2 });

  it('judges decimals by value space, not by the digits written', () => {
    expect(amount('-3.900000')).toBeNull();
    expect(amount(' 20 ')).toBeNull();
    expect(amount('.5')).toBeNull();
    expect(amount('1.234')).toMatch(/fractionDigits/);
    expect(amount('1,50')).toMatch(/not a valid value of the atomic type 'BaseCurrencyAmount'/);
    expect(amount('123456789012345678901')).toMatch(/totalDigits/);
  });

  it('applies the IDNumber pattern after whitespace collapsing', () => {
    const id = compileXsdType({ base: 'positiveInteger', name: 'IDNumber', pattern: '\\d{1,20}' });
    expect(id(' 7 ')).toBeNull();
    expect(id('0')).toMatch(/IDNumber/);
    expect(id('+5')).toMatch(/facet 'pattern'/);
    expect(id('123456789012345678901')).toMatch(/facet 'pattern'/);
  });

  it('checks dateTime values, including the calendar', () => {
    const dateTime = compileXsdType({ base: 'dateTime' });
    expect(dateTime('2026-02-28T10:00:00+01:00')).toBeNull();
    expect(dateTime('2024-02-29T24:00:00Z')).toBeNull();
    expect(dateTime('2026-02-29T10:00:00Z')).not.toBeNull();
    expect(dateTime('2026-01-02')).not.toBeNull();
    expect(dateTime('2026-01-02T25:00:00')).not.toBeNull();
  });
});

describe('xsdPatternToRegExp', () => {
  it('gives \\w and \\d their XSD (Unicode) meaning', () => {
    const orderId = xsdPatternToRegExp('\\w{3}-\\w{7}-\\w{7}');
    expect(orderId.test('123-1234567-1234567')).toBe(true);
    expect(orderId.test('ABC-ÀÉÍÓÚÇÑ-1234567')).toBe(true);
    expect(orderId.test('12_-1234567-1234567')).toBe(false); // '_' is punctuation in XSD
    expect(xsdPatternToRegExp('\\d{2}').test('٣٤')).toBe(true); // Arabic-Indic digits are \p{Nd}
  });
});
