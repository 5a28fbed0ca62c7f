/**
 * XSD content models (xsd:sequence / xsd:choice with minOccurs / maxOccurs) checked against the ordered list of
 * an element's child names. The MWS schemas obey XSD's Unique Particle Attribution rule, so a greedy left-to-right
 * match is exact. On failure it says where, and which elements would have been accepted there — the same facts
 * libxml2 reports ("This element is not expected. Expected is ( … )", "Missing child element(s)").
 * Models are compiled once per schema location; matching then only does set look-ups.
 */
export type Particle =
  | { element: string; minOccurs?: number; maxOccurs?: number | 'unbounded' }
  | { sequence: Particle[]; minOccurs?: number; maxOccurs?: number | 'unbounded' }
  | { choice: Particle[]; minOccurs?: number; maxOccurs?: number | 'unbounded' };

export type ContentMismatch =
  { kind: 'unexpected'; index: number; expected: string[] } | { kind: 'missing'; expected: string[] };

interface Compiled {
  kind: 'element' | 'sequence' | 'choice';
  name: string;
  items: Compiled[];
  min: number;
  max: number;
  /** Names that can start this particle, as a set for matching and a list (schema order) for messages. */
  first: Set<string>;
  firstList: string[];
  emptiable: boolean;
}

interface Cursor {
  pos: number;
  /** Elements that could have been accepted at `pos` by optional particles skipped on the way. */
  skipped: string[];
}

type Outcome = { ok: true } | { ok: false; expected: string[] };
const OK: Outcome = { ok: true };

export type ContentMatcher = (names: readonly string[]) => ContentMismatch | null;

export function compileContent(model: Particle): ContentMatcher {
  const root = compile(model);
  return (names) => {
    if (fastParticle(root, names, 0) === names.length) return null;
    const cursor: Cursor = { pos: 0, skipped: [] };
    const outcome = matchParticle(root, names, cursor);
    if (!outcome.ok) {
      const expected = [...new Set(outcome.expected)];
      return cursor.pos < names.length
        ? { kind: 'unexpected', index: cursor.pos, expected }
        : { kind: 'missing', expected };
    }
    if (cursor.pos < names.length)
      return { kind: 'unexpected', index: cursor.pos, expected: [...new Set(cursor.skipped)] };
    return null;
  };
}

/** The element names that can start the particle, in schema order. */
export function firstElementNames(model: Particle): string[] {
  return compile(model).firstList;
}

function compile(p: Particle): Compiled {
  const min = p.minOccurs ?? 1;
  const max = p.maxOccurs === 'unbounded' ? Infinity : (p.maxOccurs ?? 1);
  if ('element' in p) {
    return {
      kind: 'element',
      name: p.element,
      items: [],
      min,
      max,
      first: new Set([p.element]),
      firstList: [p.element],
      emptiable: min === 0,
    };
  }
  const kind = 'choice' in p ? 'choice' : 'sequence';
  const items = ('choice' in p ? p.choice : p.sequence).map(compile);
  const firstList: string[] = [];
  for (const item of items) {
    firstList.push(...item.firstList);
    if (kind === 'sequence' && !item.emptiable) break;
  }
  const emptiable = min === 0 || (kind === 'choice' ? items.some((i) => i.emptiable) : items.every((i) => i.emptiable));
  return { kind, name: '', items, min, max, first: new Set(firstList), firstList, emptiable };
}

/**
 * The same greedy match without the bookkeeping for messages: returns the position after the particle, or -1.
 * Valid content (the common case) is settled here without allocating.
 */
function fastParticle(p: Compiled, names: readonly string[], start: number): number {
  let pos = start;
  let count = 0;
  while (count < p.max && pos < names.length && p.first.has(names[pos] as string)) {
    const next = fastOnce(p, names, pos);
    if (next < 0) return -1;
    count += 1;
    if (next === pos) break;
    pos = next;
  }
  return count < p.min && !(count === 0 && p.emptiable) ? -1 : pos;
}

function fastOnce(p: Compiled, names: readonly string[], start: number): number {
  if (p.kind === 'element') return names[start] === p.name ? start + 1 : -1;
  if (p.kind === 'choice') {
    const next = names[start] as string;
    for (const branch of p.items) if (branch.first.has(next)) return fastParticle(branch, names, start);
    return -1;
  }
  let pos = start;
  for (const item of p.items) {
    pos = fastParticle(item, names, pos);
    if (pos < 0) return -1;
  }
  return pos;
}

function matchParticle(p: Compiled, names: readonly string[], cursor: Cursor): Outcome {
  let count = 0;
  while (count < p.max && cursor.pos < names.length && p.first.has(names[cursor.pos] as string)) {
    const start = cursor.pos;
    const once = matchOnce(p, names, cursor);
    if (!once.ok) return once;
    count += 1;
    if (cursor.pos === start) break; // an emptiable group that consumed nothing
  }
  if (count < p.min && !(count === 0 && p.emptiable)) {
    const once = matchOnce(p, names, cursor);
    if (!once.ok) return { ok: false, expected: [...cursor.skipped, ...once.expected] };
  }
  if (count < p.max) cursor.skipped.push(...p.firstList);
  return OK;
}

function matchOnce(p: Compiled, names: readonly string[], cursor: Cursor): Outcome {
  if (p.kind === 'element') {
    if (names[cursor.pos] !== p.name) return { ok: false, expected: [p.name] };
    cursor.pos += 1;
    cursor.skipped.length = 0;
    return OK;
  }
  if (p.kind === 'choice') {
    const next = names[cursor.pos] as string;
    const branch = p.items.find((b) => b.first.has(next));
    return branch ? matchParticle(branch, names, cursor) : { ok: false, expected: p.firstList };
  }
  for (const item of p.items) {
    const outcome = matchParticle(item, names, cursor);
    if (!outcome.ok) return outcome;
  }
  return OK;
}
