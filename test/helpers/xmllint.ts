/**
 * libxml2 as the oracle: a copy of Amazon's 2020 XSDs (orders-subset envelope) in a temp folder, and a runner
 * that asks `xmllint --schema` about many files at once.
 *
 * Two changes are made to the copy, each reproducing what feedproc is specified to accept:
 * - the orders-subset envelope lost OperationType's enumeration when it was derived; Amazon's full
 *   amzn-envelope.xsd has Update | Delete | PartialUpdate, so it is put back;
 * - BaseCurrencyCode gains PLN and SEK, feedproc's intended extension (product-spec.md §3).
 */
import { execFile } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SHARED } from './cli.js';

const run = promisify(execFile);
export const XSD_SOURCE = join(SHARED, 'reference/mws/xsd/release_4_1-snapshot-2020');
export const ENVELOPE = 'amzn-envelope.orders-subset.xsd';

export function prepareXsdDir(target: string, options: { extend: boolean }): string {
  cpSync(XSD_SOURCE, target, { recursive: true });
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
