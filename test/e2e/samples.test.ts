/**
 * The sample feeds in `samples/` replayed through the built CLI: every feed's report must equal, byte for byte,
 * the expected report beside it (`<name>.xml` → `<name>.report.xml`, `<name>.txt` → `<name>.report.txt`), and
 * the exit code must be the one that report implies (0 clean, 3 message errors, 4 rejected). Samples are found
 * by listing the folder, so a new sample is tested as soon as it is added — and fails until its report is too.
 *
 * The expected XML reports must themselves validate against ProcessingReport.xsd (Amazon's orders-subset
 * envelope, unpatched), and feedproc's verdict on every message of the XML samples must be libxml2's.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Report } from '../../src/core/types.js';
import { createSchemaRegistry, validateFeedFile } from '../../src/validate/index.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { ENVELOPE, itWithXsds, prepareXsdDir, xmllint } from '../helpers/xmllint.js';

const SAMPLES = join(REPO_ROOT, 'samples');
/** Files in samples/ that are not feeds: order reports for `orders import`, docs. */
const NOT_FEEDS = new Set(['order-report.txt']);
const FEED = /\.(xml|txt)$/;
const REPORT = /\.report\.(xml|txt)$/;
/** Each CLI run compiles every schema: a few at a time is as fast as all at once on a small machine. */
const CONCURRENCY = 4;
const run = promisify(execFile);

interface Sample {
  feed: string;
  report: string;
}

function listSamples(): { samples: Sample[]; problems: string[] } {
  const names = readdirSync(SAMPLES).sort();
  const present = new Set(names);
  const problems: string[] = [];
  const samples: Sample[] = [];
  for (const name of names) {
    if (!FEED.test(name) || REPORT.test(name) || NOT_FEEDS.has(name)) continue;
    const report = name.replace(FEED, '.report.$1');
    if (present.has(report)) samples.push({ feed: name, report });
    else problems.push(`${name} has no expected report ${report}`);
  }
  for (const name of names.filter((n) => REPORT.test(n))) {
    if (!present.has(name.replace(REPORT, '.$1'))) problems.push(`${name} belongs to no sample feed`);
  }
  return { samples, problems };
}

/** The exit code a report implies (docs/cli.md#exit-codes-and-errors). */
function expectedExitCode(report: string, format: 'xml' | 'txt'): number {
  if (format === 'xml') {
    if (/<StatusCode>Rejected<\/StatusCode>/.test(report)) return 4;
    const errors = /<MessagesWithError>(\d+)<\/MessagesWithError>/.exec(report);
    if (!errors) throw new Error('the XML report has no MessagesWithError');
    return Number(errors[1]) > 0 ? 3 : 0;
  }
  const lines = report.split('\n');
  const header = lines.findIndex((l) => l.startsWith('original-record-number\t'));
  if (header === -1) throw new Error('the flat report has no original-record-number header');
  const typeColumn = (lines[header] as string).split('\t').indexOf('error-type');
  if (lines.slice(header + 1).some((l) => l.split('\t')[typeColumn] === 'Fatal')) return 4;
  const count = (what: string): number => {
    const match = new RegExp(`^\\tNumber of records ${what}\\t\\t(\\d+)$`, 'm').exec(report);
    if (!match) throw new Error(`the flat report has no "Number of records ${what}" line`);
    return Number(match[1]);
  };
  return count('successful') < count('processed') ? 3 : 0;
}

/** Where two texts first differ, for a readable failure. */
function firstDifference(expected: string, actual: string): string {
  const want = expected.split('\n');
  const got = actual.split('\n');
  for (let i = 0; i < Math.max(want.length, got.length); i += 1) {
    if (want[i] !== got[i])
      return `line ${i + 1}:\n    expected: ${JSON.stringify(want[i])}\n    actual:   ${JSON.stringify(got[i])}`;
  }
  return 'no line differs (line endings?)';
}

describe('samples/', () => {
  const tmp = makeTempDir('feedproc-samples-');
  afterAll(() => tmp.cleanup());

  it('replays every sample through the CLI: stdout equals its expected report, exit code as the report implies', async () => {
    const { samples, problems } = listSamples();
    expect(samples.length).toBeGreaterThanOrEqual(20);
    const failures: string[] = [...problems];
    await inPool(samples, CONCURRENCY, async ({ feed, report }) => {
      const expected = readFileSync(join(SAMPLES, report), 'utf8');
      const wantCode = expectedExitCode(expected, report.endsWith('.xml') ? 'xml' : 'txt');
      const cli = await runCli(['validate', join('samples', feed)]);
      if (cli.stdout !== expected)
        failures.push(`${feed}: stdout differs from ${report} at ${firstDifference(expected, cli.stdout)}`);
      if (cli.code !== wantCode) failures.push(`${feed}: exit code ${cli.code}, expected ${wantCode} from ${report}`);
      if (cli.stderr !== '') failures.push(`${feed}: unexpected stderr: ${cli.stderr}`);
    });
    expect(failures.sort()).toEqual([]);
    // The set covers every exit code a feed can earn.
    const codes = new Set(
      samples.map(({ report }) =>
        expectedExitCode(readFileSync(join(SAMPLES, report), 'utf8'), report.endsWith('.xml') ? 'xml' : 'txt'),
      ),
    );
    expect([...codes].sort()).toEqual([0, 3, 4]);
  }, 300_000);

  itWithXsds(
    'has expected XML reports that validate against ProcessingReport.xsd (orders-subset envelope)',
    async () => {
      const xsdDir = prepareXsdDir(join(tmp.dir, 'xsd-amazon'), { extend: false });
      const reports = listSamples()
        .samples.filter((s) => s.report.endsWith('.xml'))
        .map((s) => join(SAMPLES, s.report));
      expect(reports.length).toBeGreaterThanOrEqual(5);
      const verdicts = await xmllint(xsdDir, reports);
      const invalid = reports
        .filter((r) => !verdicts.get(r)?.valid)
        .map((r) => `${r}: ${verdicts.get(r)?.first?.message ?? 'invalid'}`);
      expect(invalid).toEqual([]);
    },
    120_000,
  );

  itWithXsds(
    'judges every message of the XML samples as libxml2 does (XSDs with PLN/SEK), at the same line and element',
    async () => {
      const xsdDir = prepareXsdDir(join(tmp.dir, 'xsd-extended'), { extend: true });
      const schemas = createSchemaRegistry();
      const feeds = listSamples()
        .samples.filter((s) => s.feed.endsWith('.xml'))
        .map((s) => s.feed);
      const singles: Array<{ feed: string; index: number; path: string }> = [];
      const disagreements: string[] = [];
      for (const feed of feeds) {
        const path = join(SAMPLES, feed);
        const report = await validateFeedFile(schemas, path);
        if (report.statusCode === 'Rejected') {
          // A rejected file must be one libxml2 cannot accept either (for a file that is not well-formed, xmllint
          // prints a parser error rather than a schema verdict).
          const accepted = await run('xmllint', ['--noout', '--schema', ENVELOPE, path], { cwd: xsdDir }).then(
            () => true,
            () => false,
          );
          if (accepted) disagreements.push(`${feed}: feedproc rejects the file, xmllint accepts it`);
          continue;
        }
        for (const [index, text] of oneMessageFiles(readFileSync(path, 'utf8')).entries()) {
          singles.push({ feed, index, path: tmp.file(`${feed}.message-${index + 1}.xml`, text) });
        }
      }
      expect(singles.length).toBeGreaterThanOrEqual(50);
      const verdicts = await xmllint(
        xsdDir,
        singles.map((s) => s.path),
      );
      for (const { feed, index, path } of singles) {
        const lint = verdicts.get(path);
        const error = firstError(await validateFeedFile(schemas, path));
        const where = `${feed}, message #${index + 1}`;
        if (!lint) throw new Error(`no xmllint verdict for ${where}`);
        // feedproc's one rule beyond the schema (docs/formats-and-validation.md#validation): the body must match
        // the MessageType.
        if (lint.valid && error?.code === 'VALIDATE_BODY_MISMATCH') continue;
        if (lint.valid !== !error) {
          disagreements.push(
            `${where}: xmllint ${lint.valid ? 'accepts' : `rejects (${lint.first?.message})`}, feedproc ${error ? `rejects (${error.description})` : 'accepts'}`,
          );
        } else if (error && lint.first) {
          if (error.position?.line !== lint.first.line)
            disagreements.push(`${where}: feedproc says line ${error.position?.line}, xmllint line ${lint.first.line}`);
          if (!error.description.includes(`Element '${lint.first.element}'`))
            disagreements.push(
              `${where}: feedproc does not name element '${lint.first.element}': ${error.description}`,
            );
        }
      }
      expect(disagreements).toEqual([]);
    },
    120_000,
  );
});

/** Runs `task` over `items`, at most `limit` at a time. */
async function inPool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function firstError(report: Report) {
  return report.results.find((r) => r.resultCode === 'Error');
}

/**
 * One file per `<Message>` of a sample (each on lines of its own): the other messages become empty lines, so
 * line numbers stay those of the sample.
 */
function oneMessageFiles(text: string): string[] {
  const lines = text.split('\n');
  const blocks: Array<[number, number]> = [];
  let start = -1;
  lines.forEach((line, i) => {
    if (/^\s*<Message>\s*$/.test(line)) start = i;
    if (/^\s*<\/Message>\s*$/.test(line) && start !== -1) {
      blocks.push([start, i]);
      start = -1;
    }
  });
  return blocks.map(([from]) =>
    lines.map((line, i) => (blocks.some(([s, e]) => s !== from && i >= s && i <= e) ? '' : line)).join('\n'),
  );
}
