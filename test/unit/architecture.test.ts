/**
 * The house rules of docs/architecture.md, checked over every file of every folder of src/: import directions,
 * Redis keys built only in the key builders, and no process.exit outside the command layer.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

const SRC = join(REPO_ROOT, 'src');
const EVERYTHING = ['core', 'parse', 'validate', 'report', 'apply', 'queue', 'ingest', 'notify', 'http', 'cli'];
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: [],
  parse: ['core'],
  report: ['core'],
  validate: ['core', 'parse', 'report'],
  apply: ['core', 'parse'],
  queue: ['core', 'parse', 'validate', 'report', 'apply'],
  ingest: ['core', 'parse', 'validate', 'report', 'apply', 'queue'],
  notify: ['core', 'apply', 'queue'],
  http: ['core', 'parse', 'validate', 'report', 'apply', 'queue', 'ingest', 'notify'],
  cli: EVERYTHING,
  bench: EVERYTHING,
};
/** The only files that may spell a Redis key (docs/operations.md#redis-key-layout). */
const KEY_BUILDERS = new Set(['apply/keys.ts', 'queue/names.ts', 'http/keys.ts']);
/** A key spelled in place: the prefix followed by ':', or one of the hash tags. */
const KEY_SPELLING = /`\$\{[^}`]*prefix\}:|\{m:|\{f:|\{keys\}|\{sessions\}/i;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The file's code without its comments (key layouts are documented in comments everywhere). */
function code(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
}

const files = sourceFiles(SRC).map((file) => ({
  file,
  name: relative(SRC, file),
  stage: relative(SRC, file).split('/')[0] ?? '',
}));

describe('the house rules', () => {
  it('names every folder of src/ in the import table', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(folders.filter((folder) => !(folder in ALLOWED))).toEqual([]);
  });

  it('keeps every stage to the folders it may import', () => {
    const violations: string[] = [];
    for (const { file, name, stage } of files) {
      const allowed = ALLOWED[stage] ?? [];
      for (const [, target] of readFileSync(file, 'utf8').matchAll(/from '(\.\.?\/[^']+)'/g)) {
        const imported = relative(SRC, join(file, '..', target ?? '')).split('/')[0] ?? '';
        if (imported !== stage && !allowed.includes(imported)) violations.push(`${name} imports ${target}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('builds Redis keys only in the key builders', () => {
    // bench/ only reads keys to measure them (and leaves src/ for bench/, see docs/performance.md).
    const spelled = files
      .filter(({ name, stage }) => stage !== 'bench' && !KEY_BUILDERS.has(name))
      .flatMap(({ file, name }) =>
        code(file)
          .split('\n')
          .filter((line) => KEY_SPELLING.test(line))
          .map((line) => `${name}: ${line.trim()}`),
      );
    expect(spelled).toEqual([]);
  });

  it('ends the process only from the command layer (src/cli/)', () => {
    const exits = files
      .filter(({ stage }) => stage !== 'cli' && stage !== 'bench')
      .filter(({ file }) => /process\.exit\(/.test(code(file)))
      .map(({ name }) => name);
    expect(exits).toEqual([]);
  });
});
