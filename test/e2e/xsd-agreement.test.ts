/**
 * feedproc's schema validation against libxml2's: a generated corpus of valid and mutated messages over the
 * four XML message types is judged by `xmllint --schema` and by feedproc. They must flag exactly the same
 * messages, and for each flagged one feedproc must name the element libxml2 names, at the same line, with a
 * column that points at that element's start tag. FEEDPROC_CORPUS_SEED=N explores another corpus.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../../src/core/types.js';
import { createSchemaRegistry, validateFeedFile } from '../../src/validate/index.js';
import { SHARED } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import {
  MUTATION_KINDS,
  envelope,
  mutate,
  random,
  validMessage,
  type El,
  type MessageKind,
} from '../helpers/xsd-corpus.js';
import { prepareXsdDir, xmllint } from '../helpers/xmllint.js';

const KINDS: MessageKind[] = ['OrderAdjustment', 'OrderAcknowledgement', 'OrderFulfillment', 'Inventory'];
const VALID_PER_KIND = 15;
const MUTATED_PER_KIND = 70;

interface CorpusFile {
  path: string;
  kind: string;
  what: string;
}

function buildCorpus(dir: string, file: (name: string, content: string) => string): CorpusFile[] {
  const r = random(Number(process.env.FEEDPROC_CORPUS_SEED ?? 20261126));
  const corpus: CorpusFile[] = [];
  for (const kind of KINDS) {
    for (let i = 0; i < VALID_PER_KIND + MUTATED_PER_KIND; i += 1) {
      const message: El = validMessage(r, kind, i + 1);
      const change = i < VALID_PER_KIND ? { kind: 'unchanged', what: 'unchanged' } : mutate(r, message);
      corpus.push({ path: file(`${kind}-${String(i).padStart(3, '0')}.xml`, envelope(kind, [message])), ...change });
    }
  }
  return corpus;
}

function firstError(report: Report) {
  return report.results.find((result) => result.resultCode === 'Error');
}

describe('schema validation agrees with libxml2', () => {
  const tmp = makeTempDir();
  const schemas = createSchemaRegistry();
  afterAll(() => tmp.cleanup());

  it('flags exactly the messages xmllint rejects, naming element, line and column', async () => {
    const xsdDir = prepareXsdDir(join(tmp.dir, 'xsd'), { extend: true });
    const corpus = buildCorpus(tmp.dir, (name, content) => tmp.file(name, content));
    const verdicts = await xmllint(
      xsdDir,
      corpus.map((c) => c.path),
    );
    const disagreements: string[] = [];
    let invalid = 0;
    const invalidByKind = new Map<string, number>();
    for (const { path, kind, what } of corpus) {
      const lint = verdicts.get(path);
      const report = await validateFeedFile(schemas, path);
      const error = firstError(report);
      const name = path.slice(tmp.dir.length + 1);
      if (!lint) throw new Error(`no verdict for ${name}`);
      if (report.statusCode !== 'Complete')
        disagreements.push(`${name} (${what}): feedproc rejected the whole file: ${error?.description}`);
      else if (lint.valid !== !error)
        disagreements.push(
          `${name} (${what}): xmllint ${lint.valid ? 'accepts' : `rejects: ${lint.first?.message}`}; feedproc ${error ? `rejects: ${error.description}` : 'accepts'}`,
        );
      else if (!lint.valid && lint.first && error) {
        invalid += 1;
        invalidByKind.set(kind, (invalidByKind.get(kind) ?? 0) + 1);
        const problem = checkPlace(path, lint.first, error.description, error.position);
        if (problem)
          disagreements.push(
            `${name} (${what}): ${problem}; xmllint: line ${lint.first.line} ${lint.first.message}; feedproc: ${error.description}`,
          );
      }
    }
    expect(disagreements).toEqual([]);
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    expect(invalid).toBeGreaterThanOrEqual(150);
    expect(corpus.length - invalid).toBeGreaterThanOrEqual(60);
    // every kind of mutation (order, values, attributes, text, nesting, …) produced rejected messages
    for (const kind of MUTATION_KINDS) expect([kind, (invalidByKind.get(kind) ?? 0) >= 5]).toEqual([kind, true]);
  });

  it('gives the synthetic reference feeds the verdicts their names say', async () => {
    const dir = join(SHARED, 'reference/mws/samples/synthetic-validation');
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.xml'))) {
      const report = await validateFeedFile(schemas, join(dir, name));
      expect({ name, statusCode: report.statusCode, errors: report.summary.messagesWithError }).toEqual({
        name,
        statusCode: 'Complete',
        errors: name.includes('-valid-') ? 0 : 1,
      });
    }
  });
});

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
