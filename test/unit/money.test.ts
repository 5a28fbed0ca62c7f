import { formatMinorUnits, toMinorUnits } from '../../src/core/money.js';

describe('money', () => {
  it('moves digits, never multiplies floats', () => {
    expect(toMinorUnits('0.29')).toBe(29); // 0.29 * 100 = 28.999999999999996 in floating point
    expect(toMinorUnits('-3.900000')).toBe(-390);
    expect(toMinorUnits(' 20 ')).toBe(2000);
    expect(toMinorUnits('.5')).toBe(50);
    expect(toMinorUnits('1.234')).toBeNull();
    expect(toMinorUnits('99999999999999999999')).toBeNull();
    expect(toMinorUnits('abc')).toBeNull();
  });

  it('reads every short plain amount as the digit rules say (the fast path agrees with a BigInt reading)', () => {
    const reference = (text: string): number | null => {
      const match = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(text);
      if (!match || (match[2] === '' && !match[3])) return null;
      const fraction = (match[3] ?? '').replace(/0+$/, '');
      if (fraction.length > 2) return null;
      const minor = BigInt(`${match[2] || '0'}${fraction.padEnd(2, '0')}`) * (match[1] === '-' ? -1n : 1n);
      return minor > BigInt(Number.MAX_SAFE_INTEGER) || minor < -BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(minor);
    };
    const shapes = [
      '',
      '.',
      '0',
      '5',
      '5.',
      '.5',
      '.05',
      '0.80',
      '10.00',
      '007.10',
      '1.234',
      '1.230',
      '12.3.4',
      '1e3',
      '١٢',
      '-0.5',
      '+3',
      ' 2',
    ];
    for (let digits = 1; digits <= 16; digits += 1)
      shapes.push('9'.repeat(digits), `${'9'.repeat(digits)}.99`, `1${'0'.repeat(digits)}.5`);
    for (const text of shapes) expect([text, toMinorUnits(text)]).toEqual([text, reference(text)]);
  });

  it('formats minor units with two decimals', () => {
    expect(formatMinorUnits(1234)).toBe('12.34');
    expect(formatMinorUnits(-5)).toBe('-0.05');
    expect(formatMinorUnits(0)).toBe('0.00');
  });
});
