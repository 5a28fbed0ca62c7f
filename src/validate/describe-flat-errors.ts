/**
 * Turns Ajv's errors about one flat-file row into the first problem, left to right: which column, where on the
 * line, and why, in words a seller's developer can act on.
 */
import { codePointLength, quoted } from '../core/quote.js';
import type { ErrorObject } from 'ajv';

export interface FlatProblem {
  /** The column name, or null for a problem of the row as a whole. */
  field: string | null;
  detail: string;
}

/** `columnOrder` gives each column's index in the file, to report the leftmost problem first. */
export function describeFirstFlatProblem(
  errors: readonly ErrorObject[],
  columnOrder: ReadonlyMap<string, number>,
): FlatProblem | null {
  let best: { problem: FlatProblem; rank: number } | null = null;
  for (const error of errors) {
    const problem = describe(error);
    if (!problem) continue;
    const rank = problem.field === null ? Infinity : (columnOrder.get(problem.field) ?? Infinity - 1);
    if (!best || rank < best.rank) best = { problem, rank };
  }
  return best?.problem ?? null;
}

function describe(error: ErrorObject): FlatProblem | null {
  const field = error.instancePath.slice(1).replace(/~1/g, '/').replace(/~0/g, '~') || null;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      if (error.schemaPath.includes('/anyOf/')) return null; // reported once, by the anyOf error itself
      const why = (error.parentSchema as { description?: string } | undefined)?.description; // e.g. a `then` rule
      return {
        field: String(params['missingProperty']),
        detail: why ? `a value is required: ${why}.` : 'a value is required.',
      };
    }
    case 'anyOf':
      return { field: null, detail: 'the row adjusts nothing: give at least one amount or quantity-cancelled.' };
    case 'dependentRequired':
      return {
        field: String(params['property']),
        detail: `a value here needs a value in column ${String(params['missingProperty'])} as well.`,
      };
    case 'if':
      return null; // the failing `then` keyword is reported on its own
    default:
      return { field, detail: valueDetail(error) };
  }
}

function valueDetail(error: ErrorObject): string {
  const value = String(error.data);
  const schema = (error.keyword === 'xsdType' ? error.params : error.parentSchema) as
    { description?: string } | undefined;
  switch (error.keyword) {
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ');
      return `the value '${quoted(value)}' is not one of: ${allowed}.`;
    }
    case 'maxLength':
      return `the value is ${codePointLength(value)} characters long; at most ${String((error.params as { limit: number }).limit)} are allowed.`;
    case 'pattern':
    case 'xsdType':
      // Flat-file users get the plain description of the column; XSD wording only when there is none.
      if (schema?.description) return `the value '${quoted(value)}' is not ${schema.description}.`;
      return error.message ?? `the value '${quoted(value)}' is not valid.`;
    default:
      return `the value '${quoted(value)}' ${error.message ?? 'is not valid'}.`;
  }
}
