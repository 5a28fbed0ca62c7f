/**
 * feedproc's schema validation against libxml2's, live: the seeded corpus of valid and mutated messages over the
 * four XML message types (helpers/xsd-golden.ts) is judged by `xmllint --schema` and by feedproc. They must flag
 * exactly the same messages, and for each flagged one feedproc must name the element libxml2 names, at the same
 * line, with a column that points at that element's start tag. Needs Amazon's XSDs (FEEDPROC_XSD_DIR); without
 * them the recorded verdicts (test/unit/xsd-golden.test.ts) check the same. FEEDPROC_CORPUS_SEED=N explores
 * another corpus.
 */
import { join } from 'node:path';
import { createSchemaRegistry } from '../../src/validate/index.js';
import { makeTempDir } from '../helpers/tmp.js';
import { MUTATION_KINDS } from '../helpers/xsd-corpus.js';
import { DEFAULT_SEED, buildCorpus, judge } from '../helpers/xsd-golden.js';
import { itWithXsds, prepareXsdDir, xmllint } from '../helpers/xmllint.js';

describe('schema validation agrees with libxml2', () => {
  const tmp = makeTempDir();
  const schemas = createSchemaRegistry();
  afterAll(() => tmp.cleanup());

  itWithXsds('flags exactly the messages xmllint rejects, naming element, line and column', async () => {
    const xsdDir = prepareXsdDir(join(tmp.dir, 'xsd'), { extend: true });
    const corpus = buildCorpus(Number(process.env.FEEDPROC_CORPUS_SEED ?? DEFAULT_SEED));
    const files = corpus.map((entry) => ({ entry, path: tmp.file(entry.name, entry.xml) }));
    const verdicts = await xmllint(
      xsdDir,
      files.map((f) => f.path),
    );
    const { disagreements, invalid, invalidByKind } = await judge(
      schemas,
      files.map((f) => ({ ...f, verdict: verdicts.get(f.path) })),
    );
    expect(disagreements).toEqual([]);
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    expect(invalid).toBeGreaterThanOrEqual(150);
    expect(corpus.length - invalid).toBeGreaterThanOrEqual(60);
    // every kind of mutation (order, values, attributes, text, nesting, …) produced rejected messages
    for (const kind of MUTATION_KINDS) expect([kind, (invalidByKind.get(kind) ?? 0) >= 5]).toEqual([kind, true]);
    // the hand-written cases get the verdicts their names say
    for (const { entry, path } of files.filter((f) => f.entry.kind === 'case'))
      expect([entry.name, verdicts.get(path)?.valid]).toEqual([entry.name, entry.name.includes('-valid-')]);
  });
});
