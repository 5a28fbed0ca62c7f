/**
 * `engines` matches what the dependencies need (issue 19): every package npm installs from package-lock.json
 * accepts the oldest Node that package.json's `engines` allows, so `npm ci` on it prints no EBADENGINE line.
 * cookie 2 and content-disposition 3 (Node >= 22) are kept out by npm `overrides` (docs/dependencies.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

type Version = [number, number, number];

/** The parts of `20`, `20.19`, `v20.19.0`, `20.x`, `6.*` (a missing or wildcard part is null). */
function parts(text: string): Array<number | null> {
  return text
    .replace(/^v/, '')
    .split('.')
    .slice(0, 3)
    .map((p) => (/^\d+$/.test(p) ? Number(p) : null));
}

const compare = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
const floor = (p: Array<number | null>): Version => [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0];

/** Whether `version` satisfies one comparator (`>=20.19`, `^18.14.0`, `20`, `6.*`, `*`, `<22`). */
function satisfiesOne(version: Version, comparator: string): boolean {
  const m = /^(>=|<=|>|<|\^|~|=)?\s*(.*)$/.exec(comparator) as RegExpExecArray;
  const [op, rest] = [m[1] ?? '', m[2] as string];
  if (rest === '*' || rest === 'x' || rest === '') return true;
  const p = parts(rest);
  const low = floor(p);
  const c = compare(version, low);
  if (op === '>=') return c >= 0;
  if (op === '>') return c > 0;
  if (op === '<') return c < 0;
  if (op === '<=') return c <= 0;
  if (op === '^') return c >= 0 && version[0] === low[0];
  if (op === '~') return c >= 0 && version[0] === low[0] && (p[1] === null || version[1] === low[1]);
  // A bare version: every part given must match (20 is any 20.x.y).
  return p.every((part, i) => part === null || part === version[i]);
}

function satisfies(version: Version, range: string): boolean {
  return range.split('||').some((alternative) =>
    alternative
      .trim()
      .replace(/(>=|<=|>|<|\^|~|=)\s+/g, '$1')
      .split(/\s+/)
      .every((comparator) => satisfiesOne(version, comparator)),
  );
}

describe('engines', () => {
  const read = (name: string): Record<string, unknown> =>
    JSON.parse(readFileSync(join(REPO_ROOT, name), 'utf8')) as Record<string, unknown>;

  it('reads the range forms the lock file uses', () => {
    const v: Version = [20, 19, 0];
    expect(
      [
        '>=20.19',
        '>= 18',
        '^20.19.0 || ^22.13.0 || >=24',
        '20 || >=22',
        '>=16 || 14 >=14.17',
        '6.* || 8.* || >= 10.*',
        '*',
      ].every((r) => satisfies(v, r)),
    ).toBe(true);
    expect(['>=22', '^18.14.0', '>=20.20', '18 || >=22', '^12.20.0 || ^14.18.0'].some((r) => satisfies(v, r))).toBe(
      false,
    );
  });

  it('lets every locked package run on the oldest Node that package.json allows', () => {
    const wanted = ((read('package.json')['engines'] as { node: string }).node.match(/^>=\s*(\S+)$/) ?? [])[1];
    expect(wanted).toBeDefined();
    const oldest = floor(parts(wanted as string));
    const packages = read('package-lock.json')['packages'] as Record<string, { engines?: { node?: string } }>;
    const refusing = Object.entries(packages)
      .filter(([, entry]) => typeof entry.engines?.node === 'string' && !satisfies(oldest, entry.engines.node))
      .map(([path, entry]) => `${path}: ${String(entry.engines?.node)}`);
    expect(refusing).toEqual([]);
  });
});
