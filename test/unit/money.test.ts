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

  it('formats minor units with two decimals', () => {
    expect(formatMinorUnits(1234)).toBe('12.34');
    expect(formatMinorUnits(-5)).toBe('-0.05');
    expect(formatMinorUnits(0)).toBe('0.00');
  });
});
