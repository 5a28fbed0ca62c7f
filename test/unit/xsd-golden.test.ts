/**
 * feedproc's schema validation against the verdicts libxml2 gave, as recorded in
 * test/fixtures/xsd-golden/verdicts.json: runs on every clone, with no XSDs and no xmllint. The corpus is
 * regenerated from the recorded seed and must be byte for byte the one xmllint judged; feedproc must flag exactly
 * the files xmllint rejected, naming the element libxml2 named at its line and column, for every mutation kind.
 *
 * `npm run golden:xsd` (FEEDPROC_GOLDEN_WRITE=1, FEEDPROC_XSD_DIR set, xmllint installed) asks xmllint again and
 * rewrites the file first; do that after changing the corpus generator or the XSD copy's patches.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSchemaRegistry } from '../../src/validate/index.js';
import { makeTempDir } from '../helpers/tmp.js';
import { MUTATION_KINDS } from '../helpers/xsd-corpus.js';
import { DEFAULT_SEED, GOLDEN_FILE, buildCorpus, judge, sha256, type Golden } from '../helpers/xsd-golden.js';
import { ENVELOPE, prepareXsdDir, xmllint, xmllintVersion } from '../helpers/xmllint.js';

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

/** Asks xmllint about the corpus of DEFAULT_SEED and writes what it said. */
async function writeGolden(): Promise<void> {
  const xsdDir = prepareXsdDir(join(tmp.dir, 'xsd'), { extend: true });
  const files = buildCorpus(DEFAULT_SEED).map((entry) => ({ entry, path: tmp.file(`w-${entry.name}`, entry.xml) }));
  const verdicts = await xmllint(
    xsdDir,
    files.map((f) => f.path),
  );
  const golden: Golden = {
    seed: DEFAULT_SEED,
    xmllint: await xmllintVersion(),
    schema: `${ENVELOPE} with OperationType's enumeration restored and PLN, SEK added to BaseCurrencyCode`,
    entries: files.map(({ entry, path }) => {
      const verdict = verdicts.get(path);
      if (!verdict) throw new Error(`xmllint gave no verdict for ${entry.name}`);
      // the file's name in xmllint's message is the temp path: keep what does not depend on it
      return { name: entry.name, kind: entry.kind, what: entry.what, sha256: sha256(entry.xml), verdict };
    }),
  };
  writeFileSync(GOLDEN_FILE, `${JSON.stringify(golden, null, 1)}\n`);
}

describe('schema validation agrees with the recorded libxml2 verdicts', () => {
  const schemas = createSchemaRegistry();

  it('flags exactly the messages xmllint rejected, naming element, line and column, for every mutation kind', async () => {
    if (process.env['FEEDPROC_GOLDEN_WRITE'] === '1') await writeGolden();
    expect(existsSync(GOLDEN_FILE)).toBe(true);
    const golden = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as Golden;
    const corpus = buildCorpus(golden.seed);
    // the generator still writes what xmllint judged (else: `npm run golden:xsd`)
    expect(corpus.map((c) => [c.name, sha256(c.xml)])).toEqual(golden.entries.map((e) => [e.name, e.sha256]));
    const verdicts = new Map(golden.entries.map((e) => [e.name, e.verdict]));
    const files = corpus.map((entry) => ({
      entry,
      path: tmp.file(entry.name, entry.xml),
      verdict: verdicts.get(entry.name),
    }));
    const { disagreements, invalid, invalidByKind } = await judge(schemas, files);
    expect(disagreements).toEqual([]);
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    expect(invalid).toBeGreaterThanOrEqual(150);
    expect(corpus.length - invalid).toBeGreaterThanOrEqual(60);
    for (const kind of MUTATION_KINDS) expect([kind, (invalidByKind.get(kind) ?? 0) >= 5]).toEqual([kind, true]);
  }, 300_000);

  it('recorded for each hand-written case the verdict its name says', () => {
    const golden = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as Golden;
    const cases = golden.entries.filter((e) => e.kind === 'case');
    expect(cases.length).toBeGreaterThanOrEqual(10);
    for (const { name, verdict } of cases) expect([name, verdict.valid]).toEqual([name, name.includes('-valid-')]);
  });
});
