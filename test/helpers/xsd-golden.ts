/**
 * The XSD agreement corpus and its judge, shared by the live comparison (test/e2e/xsd-agreement.test.ts, xmllint
 * asked now) and the golden one (test/unit/xsd-golden.test.ts, xmllint's verdicts as recorded in
 * test/fixtures/xsd-golden/verdicts.json by `npm run golden:xsd`).
 *
 * The corpus: seeded valid and mutated messages of the four XML message types (xsd-corpus.ts), one per file,
 * plus a few hand-written cases whose names say their verdict (xsd-cases.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Report } from '../../src/core/types.js';
import { validateFeedFile, type SchemaRegistry } from '../../src/validate/index.js';
import { REPO_ROOT } from './cli.js';
import { NAMED_CASES } from './xsd-cases.js';
import { envelope, mutate, random, validMessage, type El, type MessageKind } from './xsd-corpus.js';
import type { LintVerdict } from './xmllint.js';

export const GOLDEN_FILE = `${REPO_ROOT}test/fixtures/xsd-golden/verdicts.json`;
export const DEFAULT_SEED = 20261126;
const KINDS: MessageKind[] = ['OrderAdjustment', 'OrderAcknowledgement', 'OrderFulfillment', 'Inventory'];
const VALID_PER_KIND = 15;
const MUTATED_PER_KIND = 70;

export interface CorpusEntry {
  name: string;
  /** The mutation kind (xsd-corpus.ts MUTATION_KINDS), `unchanged`, or `case` for a hand-written one. */
  kind: string;
  what: string;
  xml: string;
}

export interface GoldenEntry {
  name: string;
  kind: string;
  what: string;
  /** SHA-256 of the file xmllint judged: the generator must still write exactly these bytes. */
  sha256: string;
  verdict: LintVerdict;
}

export interface Golden {
  seed: number;
  xmllint: string;
  schema: string;
  entries: GoldenEntry[];
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export function buildCorpus(seed: number): CorpusEntry[] {
  const r = random(seed);
  const corpus: CorpusEntry[] = [];
  for (const type of KINDS) {
    for (let i = 0; i < VALID_PER_KIND + MUTATED_PER_KIND; i += 1) {
      const message: El = validMessage(r, type, i + 1);
      const change = i < VALID_PER_KIND ? { kind: 'unchanged', what: 'unchanged' } : mutate(r, message);
      corpus.push({ name: `${type}-${String(i).padStart(3, '0')}.xml`, ...change, xml: envelope(type, [message]) });
    }
  }
  for (const c of NAMED_CASES)
    corpus.push({ name: c.name, kind: 'case', what: c.name, xml: envelope(c.messageType, [c.message]) });
  return corpus;
}

export interface Judged {
  disagreements: string[];
  /** Rejected messages (by both), per mutation kind. */
  invalidByKind: Map<string, number>;
  invalid: number;
}

/**
 * feedproc against the verdicts: it must flag exactly the files xmllint rejects, and for each name the element
 * libxml2 names at the same line, with a column that points at that element's start tag.
 */
export async function judge(
  schemas: SchemaRegistry,
  files: ReadonlyArray<{ path: string; entry: CorpusEntry; verdict: LintVerdict | undefined }>,
): Promise<Judged> {
  const out: Judged = { disagreements: [], invalidByKind: new Map(), invalid: 0 };
  for (const { path, entry, verdict: lint } of files) {
    const { name, kind, what } = entry;
    if (!lint) throw new Error(`no verdict for ${name}`);
    const report = await validateFeedFile(schemas, path);
    const error = firstError(report);
    if (report.statusCode !== 'Complete')
      out.disagreements.push(`${name} (${what}): feedproc rejected the whole file: ${error?.description}`);
    else if (lint.valid !== !error)
      out.disagreements.push(
        `${name} (${what}): xmllint ${lint.valid ? 'accepts' : `rejects: ${lint.first?.message}`}; feedproc ${error ? `rejects: ${error.description}` : 'accepts'}`,
      );
    else if (!lint.valid && lint.first && error) {
      out.invalid += 1;
      out.invalidByKind.set(kind, (out.invalidByKind.get(kind) ?? 0) + 1);
      const problem = checkPlace(path, lint.first, error.description, error.position);
      if (problem)
        out.disagreements.push(
          `${name} (${what}): ${problem}; xmllint: line ${lint.first.line} ${lint.first.message}; feedproc: ${error.description}`,
        );
    }
  }
  return out;
}

function firstError(report: Report) {
  return report.results.find((result) => result.resultCode === 'Error');
}

/** Null when feedproc names libxml2's element at libxml2's line and its column points at that start tag. */
function checkPlace(
  path: string,
  lint: { line: number; element: string },
  description: string,
  position: { line: number; column: number } | undefined,
): string | null {
  if (!description.includes(`Element '${lint.element}'`)) return `description does not name element '${lint.element}'`;
  if (!position) return 'no position';
  if (position.line !== lint.line) return `line ${position.line} instead of ${lint.line}`;
  const text = readFileSync(path, 'utf8').split('\n')[position.line - 1] ?? '';
  if (!text.slice(position.column - 1).startsWith(`<${lint.element}`))
    return `column ${position.column} does not point at <${lint.element}`;
  return null;
}
