/**
 * Turns Ajv's errors about one part of a JSON listings document (the header or a message) into the problem a
 * developer needs: which member, where in the file, and why. When a part has several problems the one that comes
 * first in the file wins, as for XML.
 */
import type { ErrorObject } from 'ajv';
import { quoted } from '../core/quote.js';
import type { JsonPosition } from '../parse/json-tokenizer.js';

export interface JsonProblem extends JsonPosition {
  /** JSON Pointer of the member at fault, relative to the part. */
  pointer: string;
  detail: string;
}

/** `operationType`: the message's, to say which operation type's rule was broken. */
export function describeFirstJsonProblem(
  errors: readonly ErrorObject[],
  positions: ReadonlyMap<string, JsonPosition>,
  partName: string,
  operationType?: unknown,
): JsonProblem | null {
  let first: JsonProblem | null = null;
  for (const error of errors) {
    const problem = describe(error, positions, partName, operationType);
    if (problem && (!first || before(problem, first))) first = problem;
  }
  return first;
}

function before(a: JsonPosition, b: JsonPosition): boolean {
  return a.line < b.line || (a.line === b.line && a.column < b.column);
}

function describe(
  error: ErrorObject,
  positions: ReadonlyMap<string, JsonPosition>,
  partName: string,
  operationType: unknown,
): JsonProblem | null {
  if (error.keyword === 'if') return null; // the failing `then` keyword is reported on its own
  const pointer = error.instancePath;
  const at = positions.get(pointer) ?? positions.get('') ?? { line: 1, column: 1 };
  const where = readablePath(pointer, partName);
  const detail = detailOf(error, where, operationTypeOf(error, operationType));
  return { pointer, line: at.line, column: at.column, detail };
}

function detailOf(error: ErrorObject, where: string, when: string): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${where} needs ${String(params['missingProperty'])}${when}.`;
    case 'false schema':
      return `${where} is not allowed${when}.`;
    case 'type':
      return `${where} must be ${article(String(params['type']))}.`;
    case 'const':
      return `${where} must be ${JSON.stringify(params['allowedValue'])}.`;
    case 'enum':
      return `${where} must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'minProperties':
      return `${where} must not be empty.`;
    case 'minItems':
      return `${where} needs at least ${String(params['limit'])} ${Number(params['limit']) === 1 ? 'entry' : 'entries'}.`;
    case 'maxItems':
      return `${where} may have at most ${String(params['limit'])} ${Number(params['limit']) === 1 ? 'entry' : 'entries'}.`;
    case 'minLength':
      return `${where} must not be empty.`;
    case 'maxLength':
      return `${where} is longer than ${String(params['limit'])} characters.`;
    case 'pattern':
    case 'xsdType': {
      const description = (error.keyword === 'pattern' ? error.parentSchema : params) as
        { description?: string } | undefined;
      const value = `'${quoted(String(error.data))}'`;
      return description?.description
        ? `${where} ${value} is not ${description.description}.`
        : `${where} ${value} is not valid.`;
    }
    default:
      return `${where} ${error.message ?? 'is not valid'} (${JSON.stringify(error.data)?.slice(0, 100) ?? ''}).`;
  }
}

/**
 * `, for operationType PATCH` when the rule is one of an operation type's (an `if`/`then` of the message schema),
 * `, for op add` when it is one of a patch operation's.
 */
function operationTypeOf(error: ErrorObject, operationType: unknown): string {
  if (!error.schemaPath.includes('/then/')) return '';
  if (error.schemaPath.startsWith('#/allOf/') && typeof operationType === 'string')
    return ` for operationType ${operationType}`;
  const op = (error.data as { op?: unknown } | null)?.op;
  return error.schemaPath.includes('/patch/') && typeof op === 'string' ? ` for op ${op}` : '';
}

function article(type: string): string {
  if (type === 'integer') return 'a whole number';
  if (type === 'object') return 'an object';
  if (type === 'array') return 'an array';
  return `a ${type}`;
}

/** `/attributes/purchasable_offer/0/currency` → `attributes.purchasable_offer[0].currency`. */
export function readablePath(pointer: string, partName: string): string {
  if (pointer === '') return partName;
  const segments = pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let text = partName === 'the message' ? '' : partName;
  for (const segment of segments) {
    if (/^(0|[1-9][0-9]*)$/.test(segment)) text += `[${segment}]`;
    else text += text === '' ? segment : `.${segment}`;
  }
  return text;
}
