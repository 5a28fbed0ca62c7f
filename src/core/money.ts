/**
 * Money: decimal strings outside, integer minor units inside — the only place amounts change representation.
 * A minor unit is a hundredth of the currency unit for every currency (JPY included): the MWS schemas allow at
 * most two fraction digits, so every valid amount is exact, and no currency table can be out of date.
 * No floating point: the digits are moved, never multiplied.
 */
export type MinorUnits = number;

const DECIMAL = /^\s*([+-]?)([0-9]*)(?:\.([0-9]*))?\s*$/;

/** `-3.900000` → -390. Null when it has more than two significant decimals or exceeds 2^53 minor units. */
export function toMinorUnits(decimal: string): MinorUnits | null {
  const match = DECIMAL.exec(decimal);
  if (!match || (match[2] === '' && !match[3])) return null;
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  if (fraction.length > 2) return null;
  const value = Number(`${match[2] ?? ''}${fraction.padEnd(2, '0')}`);
  if (!Number.isSafeInteger(value)) return null;
  return match[1] === '-' && value !== 0 ? -value : value;
}

/** 1234 → "12.34", -5 → "-0.05". */
export function formatMinorUnits(minor: MinorUnits): string {
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(minor)).padStart(3, '0');
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
