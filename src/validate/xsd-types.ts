/**
 * XSD 1.0 built-in atomic types, as libxml2 checks them: whitespace handling, lexical space, value space, and
 * the facets the MWS schemas put on them (pattern, totalDigits, fractionDigits). Each check returns null when
 * the value is valid, or a libxml2-style sentence saying why not.
 */
import { quoted } from '../core/quote.js';

export type XsdBase =
  | 'string'
  | 'normalizedString'
  | 'boolean'
  | 'decimal'
  | 'positiveInteger'
  | 'nonNegativeInteger'
  | 'date'
  | 'dateTime';

export interface XsdTypeSpec {
  /** A built-in type, or several for a union (`xsd:union`): the value must be valid for one of them. */
  base: XsdBase | XsdBase[];
  /** The named type, for messages (`IDNumber`); built-ins are named `xs:<base>`. */
  name?: string;
  /** XSD regular expression (implicitly anchored). */
  pattern?: string;
  totalDigits?: number;
  fractionDigits?: number;
}

export type XsdCheck = (value: string) => string | null;

const XML_SPACE = /^[ \t\r\n]+|[ \t\r\n]+$/g;
const HAS_SPACE = /[ \t\r\n]/;
const collapse = (value: string): string =>
  HAS_SPACE.test(value) ? value.replace(XML_SPACE, '').replace(/[ \t\r\n]+/g, ' ') : value;

/** Translates the XSD regex features the MWS schemas use into an anchored JavaScript `u` RegExp. */
export function xsdPatternToRegExp(pattern: string): RegExp {
  const js = pattern.replace(/\\d/g, '\\p{Nd}').replace(/\\w/g, '[^\\p{P}\\p{Z}\\p{C}]');
  return new RegExp(`^(?:${js})$`, 'u');
}

/** Builds the check for one `xsdType` spec (done once per schema location, at compile time). */
export function compileXsdType(spec: XsdTypeSpec): XsdCheck {
  if (Array.isArray(spec.base))
    return compileUnion(spec.base, spec.name ?? spec.base.map((b) => `xs:${b}`).join(' | '));
  const typeName = spec.name ?? `xs:${spec.base}`;
  const lexical = LEXICAL_CHECKS[spec.base];
  const pattern = spec.pattern === undefined ? undefined : xsdPatternToRegExp(spec.pattern);
  const whitespace = spec.base === 'string' || spec.base === 'normalizedString' ? (v: string) => v : collapse;
  return (raw) => {
    const value = whitespace(raw);
    if (!lexical(value)) return `'${quoted(value)}' is not a valid value of the atomic type '${typeName}'.`;
    if (pattern && !pattern.test(value)) {
      return `[facet 'pattern'] The value '${quoted(value)}' is not accepted by the pattern '${spec.pattern}'.`;
    }
    if (spec.base === 'decimal') return checkDigits(value, spec);
    return null;
  };
}

function compileUnion(members: XsdBase[], typeName: string): XsdCheck {
  const checks = members.map((base) => compileXsdType({ base }));
  return (raw) =>
    checks.some((check) => check(raw) === null)
      ? null
      : `'${collapse(raw)}' is not a valid value of the union type '${typeName}'.`;
}

const INTEGER = /^[+-]?[0-9]+$/;
const DECIMAL = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;
const DATE_PART = '(-?(?:[1-9][0-9]{4,}|[0-9]{4}))-([0-9]{2})-([0-9]{2})';
const TIMEZONE = '(Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?';
const DATE = new RegExp(`^${DATE_PART}${TIMEZONE}$`);
const DATE_TIME = new RegExp(`^${DATE_PART}T([0-9]{2}):([0-9]{2}):([0-9]{2}(?:\\.[0-9]+)?)${TIMEZONE}$`);

const LEXICAL_CHECKS: Readonly<Record<XsdBase, (value: string) => boolean>> = {
  string: () => true,
  normalizedString: () => true,
  boolean: (v) => v === 'true' || v === 'false' || v === '1' || v === '0',
  decimal: (v) => DECIMAL.test(v),
  positiveInteger: (v) => INTEGER.test(v) && !v.startsWith('-') && /[1-9]/.test(v),
  nonNegativeInteger: (v) => INTEGER.test(v) && (!v.startsWith('-') || /^-0+$/.test(v)),
  date: (v) => isValidDate(DATE.exec(v)),
  dateTime: (v) => isValidDateTime(DATE_TIME.exec(v)),
};

function isValidDate(m: RegExpExecArray | null): boolean {
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return year !== 0 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function isValidDateTime(m: RegExpExecArray | null): boolean {
  if (!isValidDate(m) || !m) return false;
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6])];
  if (hour === 24) return minute === 0 && second === 0;
  return hour <= 23 && minute <= 59 && second < 60;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The common case, settled without building strings: at most 18 integer digits and 2 decimals. */
const PLAIN_AMOUNT = /^[+-]?[0-9]{1,18}(?:\.[0-9]{0,2})?$/;

/** totalDigits and fractionDigits count the value, not the text: `-3.900000` has one fraction digit. */
function checkDigits(value: string, spec: XsdTypeSpec): string | null {
  if ((spec.totalDigits ?? 20) >= 20 && (spec.fractionDigits ?? 2) >= 2 && PLAIN_AMOUNT.test(value)) return null;
  const unsigned = value.replace(/^[+-]/, '');
  const [intPart = '', fracPart = ''] = unsigned.split('.');
  const fraction = fracPart.replace(/0+$/, '');
  const integer = intPart.replace(/^0+/, '');
  if (spec.fractionDigits !== undefined && fraction.length > spec.fractionDigits) {
    return `[facet 'fractionDigits'] The value '${quoted(value)}' has more fractional digits than are allowed ('${spec.fractionDigits}').`;
  }
  if (spec.totalDigits !== undefined && integer.length + fraction.length > spec.totalDigits) {
    return `[facet 'totalDigits'] The value '${quoted(value)}' has more digits than are allowed ('${spec.totalDigits}').`;
  }
  return null;
}
