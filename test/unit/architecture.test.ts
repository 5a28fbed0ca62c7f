/** Import direction (README "Architecture"): core imports nothing else; parse and report only core. */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

const SRC = join(REPO_ROOT, 'src');
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: [],
  parse: ['core'],
  report: ['core'],
  validate: ['core', 'parse', 'report'],
  apply: ['core', 'parse'],
  http: ['core', 'parse', 'validate', 'report', 'apply', 'queue', 'ingest', 'notify'],
  notify: ['core', 'apply', 'queue'],
  ingest: ['core', 'parse', 'validate', 'report', 'apply', 'queue'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('import direction', () => {
  it('keeps every stage to the folders it may import', () => {
    const violations: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const stage = relative(SRC, file).split('/')[0] ?? '';
      const allowed = ALLOWED[stage];
      if (!allowed) continue;
      for (const [, target] of readFileSync(file, 'utf8').matchAll(/from '(\.\.?\/[^']+)'/g)) {
        const imported = relative(SRC, join(file, '..', target ?? '')).split('/')[0] ?? '';
        if (imported !== stage && !allowed.includes(imported))
          violations.push(`${relative(SRC, file)} imports ${target}`);
      }
    }
    expect(violations).toEqual([]);
  });
});
