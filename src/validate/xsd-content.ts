/**
 * XSD content models (xsd:sequence / xsd:choice with minOccurs / maxOccurs) checked against the ordered list of
 * an element's child names. The MWS schemas obey XSD's Unique Particle Attribution rule, so a greedy left-to-right
 * match is exact. On failure it says where, and which elements would have been accepted there — the same facts
 * libxml2 reports ("This element is not expected. Expected is ( … )", "Missing child element(s)").
 */
export type Particle =
  | { element: string; minOccurs?: number; maxOccurs?: number | 'unbounded' }
  | { sequence: Particle[]; minOccurs?: number; maxOccurs?: number | 'unbounded' }
  | { choice: Particle[]; minOccurs?: number; maxOccurs?: number | 'unbounded' };

export type ContentMismatch =
  | { kind: 'unexpected'; index: number; expected: string[] }
  | { kind: 'missing'; expected: string[] };

interface Cursor {
  pos: number;
  /** Elements that could have been accepted at `pos` by optional particles skipped on the way. */
  skipped: string[];
}

type Outcome = { ok: true } | { ok: false; expected: string[] };

/** Checks the child names; returns null when they fit the model. */
export function matchContent(model: Particle, names: readonly string[]): ContentMismatch | null {
  const cursor: Cursor = { pos: 0, skipped: [] };
  const outcome = matchParticle(model, names, cursor);
  if (!outcome.ok) {
    const expected = unique(outcome.expected);
    return cursor.pos < names.length ? { kind: 'unexpected', index: cursor.pos, expected } : { kind: 'missing', expected };
  }
  if (cursor.pos < names.length) return { kind: 'unexpected', index: cursor.pos, expected: unique(cursor.skipped) };
  return null;
}

function matchParticle(p: Particle, names: readonly string[], cursor: Cursor): Outcome {
  const min = p.minOccurs ?? 1;
  const max = p.maxOccurs === 'unbounded' ? Infinity : (p.maxOccurs ?? 1);
  let count = 0;
  while (count < max && cursor.pos < names.length && firstElementNames(p).includes(names[cursor.pos] ?? '')) {
    const start = cursor.pos;
    const once = matchOnce(p, names, cursor);
    if (!once.ok) return once;
    count += 1;
    if (cursor.pos === start) break; // an emptiable group that consumed nothing
  }
  if (count < min) {
    const once = count === 0 && emptiable(p) ? ({ ok: true } as const) : matchOnce(p, names, cursor);
    if (!once.ok) return { ok: false, expected: [...cursor.skipped, ...once.expected] };
  }
  if (count < max) cursor.skipped.push(...firstElementNames(p));
  return { ok: true };
}

function matchOnce(p: Particle, names: readonly string[], cursor: Cursor): Outcome {
  if ('element' in p) {
    if (names[cursor.pos] !== p.element) return { ok: false, expected: [p.element] };
    cursor.pos += 1;
    cursor.skipped = [];
    return { ok: true };
  }
  if ('choice' in p) {
    const branch = p.choice.find((b) => firstElementNames(b).includes(names[cursor.pos] ?? ''));
    if (!branch) return { ok: false, expected: firstElementNames(p) };
    return matchParticle(branch, names, cursor);
  }
  for (const item of p.sequence) {
    const outcome = matchParticle(item, names, cursor);
    if (!outcome.ok) return outcome;
  }
  return { ok: true };
}

const firstSets = new WeakMap<Particle, string[]>();

/** The element names that can start the particle. */
export function firstElementNames(p: Particle): string[] {
  const cached = firstSets.get(p);
  if (cached) return cached;
  let names: string[];
  if ('element' in p) names = [p.element];
  else if ('choice' in p) names = p.choice.flatMap(firstElementNames);
  else {
    names = [];
    for (const item of p.sequence) {
      names.push(...firstElementNames(item));
      if (!emptiable(item)) break;
    }
  }
  firstSets.set(p, names);
  return names;
}

function emptiable(p: Particle): boolean {
  if ((p.minOccurs ?? 1) === 0) return true;
  if ('element' in p) return false;
  if ('choice' in p) return p.choice.some(emptiable);
  return p.sequence.every(emptiable);
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}
