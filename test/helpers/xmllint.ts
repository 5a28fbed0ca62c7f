/**
 * libxml2 as the oracle: a copy of Amazon's 2020 XSDs (orders-subset envelope) in a temp folder, and a runner
 * that asks `xmllint --schema` about many files at once.
 *
 * The XSDs are Amazon's and carry no licence, so the repository does not hold them: FEEDPROC_XSD_DIR names a
 * folder with `amzn-envelope.orders-subset.xsd` and the files it includes (.ci/run sets it when it has one).
 * Without it, the tests that ask xmllint live are skipped (`itWithXsds`), and the recorded verdicts of
 * test/fixtures/xsd-golden/ stand in for it.
 *
 * Two changes are made to the copy, each reproducing what feedproc is specified to accept:
 * - the orders-subset envelope lost OperationType's enumeration when it was derived; Amazon's full
 *   amzn-envelope.xsd has Update | Delete | PartialUpdate, so it is put back;
 * - BaseCurrencyCode gains PLN and SEK, feedproc's intended extension (docs/choices.md).
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** The folder of Amazon's XSDs, when one is given. */
export const XSD_SOURCE: string | undefined = process.env['FEEDPROC_XSD_DIR'] || undefined;
export const ENVELOPE = 'amzn-envelope.orders-subset.xsd';
const SKIP_REASON = `skipped: FEEDPROC_XSD_DIR names no folder with ${ENVELOPE}`;

/** A test that needs Amazon's XSDs: skipped, with the reason in its name, when FEEDPROC_XSD_DIR is not set. */
export function itWithXsds(name: string, fn: () => Promise<void>, timeout?: number): void {
  if (XSD_SOURCE && existsSync(join(XSD_SOURCE, ENVELOPE))) it(name, fn, timeout);
  else it.skip(`${name} (${SKIP_REASON})`, fn);
}

/** The XSD folder, or a clear error when none is given (for the script that regenerates the golden verdicts). */
export function requireXsdSource(): string {
  if (!XSD_SOURCE || !existsSync(join(XSD_SOURCE, ENVELOPE)))
    throw new Error(`set FEEDPROC_XSD_DIR to a folder with ${ENVELOPE} and the XSDs it includes`);
  return XSD_SOURCE;
}

export function prepareXsdDir(target: string, options: { extend: boolean }): string {
  cpSync(requireXsdSource(), target, { recursive: true });
  if (!options.extend) return target;
  patch(
    join(target, ENVELOPE),
    /(<xsd:element name="OperationType" minOccurs="0">\s*<xsd:simpleType>\s*<xsd:restriction base="xsd:string">)/,
    '$1<xsd:enumeration value="Update"/><xsd:enumeration value="Delete"/><xsd:enumeration value="PartialUpdate"/>',
  );
  patch(
    join(target, 'amzn-base.xsd'),
    /(<xsd:simpleType name="BaseCurrencyCode">[\s\S]*?<xsd:enumeration value="EGP"\/>)/,
    '$1<xsd:enumeration value="PLN"/><xsd:enumeration value="SEK"/>',
  );
  return target;
}

function patch(file: string, pattern: RegExp, replacement: string): void {
  const before = readFileSync(file, 'utf8');
  const after = before.replace(pattern, replacement);
  if (after === before) throw new Error(`could not patch ${file}`);
  writeFileSync(file, after);
}

export interface LintVerdict {
  valid: boolean;
  /** The first schema error: its line and the element libxml2 names. */
  first?: { line: number; element: string; message: string };
}

/** Validates the files (absolute paths) against the envelope in `xsdDir`; one verdict per file. */
export async function xmllint(xsdDir: string, files: readonly string[]): Promise<Map<string, LintVerdict>> {
  const verdicts = new Map<string, LintVerdict>();
  for (let i = 0; i < files.length; i += 100) {
    const batch = files.slice(i, i + 100);
    const { stderr } = await run('xmllint', ['--noout', '--schema', ENVELOPE, ...batch], {
      cwd: xsdDir,
      maxBuffer: 64 << 20,
    }).catch((err: { stderr?: string }) => ({ stderr: err.stderr ?? '' }));
    if (/Schemas parser error|failed to compile/.test(stderr))
      throw new Error(`xmllint could not load the schema:\n${stderr}`);
    for (const file of batch) verdicts.set(file, parseVerdict(stderr, file));
  }
  return verdicts;
}

function parseVerdict(stderr: string, file: string): LintVerdict {
  const lines = stderr.split('\n');
  if (lines.includes(`${file} validates`)) return { valid: true };
  if (!lines.includes(`${file} fails to validate`))
    throw new Error(`xmllint said nothing clear about ${file}:\n${stderr}`);
  const prefix = `${file}:`;
  const error = lines.find((l) => l.startsWith(prefix) && l.includes('Schemas validity error'));
  const match = error && /^.*?:(\d+): element ([^:]+): Schemas validity error : (.*)$/.exec(error);
  if (!match) return { valid: false };
  return { valid: false, first: { line: Number(match[1]), element: match[2] as string, message: match[3] as string } };
}

/** `xmllint --version`'s first line (libxml2's version), recorded with the golden verdicts. */
export async function xmllintVersion(): Promise<string> {
  const { stdout, stderr } = await run('xmllint', ['--version']);
  return (stderr || stdout).split('\n')[0]?.trim() ?? '';
}
