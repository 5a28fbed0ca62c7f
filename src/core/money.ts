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
  return plainMinorUnits(decimal) ?? anyMinorUnits(decimal);
}

/**
 * The shape nearly every amount has — up to 13 digits with at most one point and two decimals ("10.00", "0.8",
 * "25") — read digit by digit without a regular expression (this runs for every amount of every feed); undefined
 * for anything else, which anyMinorUnits reads. Integer arithmetic only: the digits are accumulated, then shifted
 * by the missing decimals.
 */
function plainMinorUnits(decimal: string): MinorUnits | undefined {
  const length = decimal.length;
  if (length === 0 || length > 14) return undefined;
  let value = 0;
  let digits = 0;
  let decimals = -1; // -1 until the point
  for (let i = 0; i < length; i += 1) {
    const c = decimal.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits += 1;
      if (decimals >= 0) decimals += 1;
    } else if (c === 46 && decimals < 0) decimals = 0;
    else return undefined;
  }
  if (digits === 0 || digits > 13 || decimals > 2) return undefined;
  const shift = decimals <= 0 ? 100 : decimals === 1 ? 10 : 1;
  return value * shift;
}

function anyMinorUnits(decimal: string): MinorUnits | null {
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
