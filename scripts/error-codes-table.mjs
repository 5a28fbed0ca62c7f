/**
 * `npm run docs:error-codes`: rewrites the table of docs/error-codes.md between `<!-- error-codes:start -->` and
 * `<!-- error-codes:end -->` from the catalogue (src/core/error-codes.ts, read from the build in dist/). Run it
 * after adding a code; test/unit/error-codes.test.ts fails while the page and the catalogue differ.
 * Usage: node scripts/error-codes-table.mjs [--page PATH] [--check]
 *   --check  write nothing; exit 1 when the page is not what this script would write
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const START = '<!-- error-codes:start -->';
const END = '<!-- error-codes:end -->';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A table cell: a `|` inside it would end the cell, so it is escaped as Markdown tables expect. */
const cell = (text) => text.replace(/\|/g, '\\|');

/** The Markdown table of every catalogue code, in catalogue order. */
function errorCodeTable(codes) {
  const rows = Object.entries(codes).map(([code, e]) =>
    [`\`${code}\``, e.resultMessageCode === null ? '—' : String(e.resultMessageCode), e.resultCode, e.scope, e.text]
      .map(cell)
      .join(' | '),
  );
  return [
    '| code | ResultMessageCode | ResultCode | scope | text |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

/** The page with its table replaced; throws when the markers are missing. */
function withTable(page, table, name) {
  const start = page.indexOf(START);
  const end = page.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${name} has no ${START} … ${END} block`);
  return `${page.slice(0, start + START.length)}\n${table}\n${page.slice(end)}`;
}

async function main(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      page: { type: 'string', default: join(root, 'docs', 'error-codes.md') },
      check: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const catalogue = join(root, 'dist', 'core', 'error-codes.js');
  const { ERROR_CODES } = await import(catalogue).catch(() => {
    throw new Error(`cannot load ${relative(process.cwd(), catalogue)}: run npm run build first`);
  });
  const name = relative(process.cwd(), values.page);
  const page = readFileSync(values.page, 'utf8');
  const next = withTable(page, errorCodeTable(ERROR_CODES), name);
  if (values.check) {
    if (next === page) return 0;
    process.stderr.write(`docs:error-codes: ${name} differs from the catalogue; run npm run docs:error-codes\n`);
    return 1;
  }
  if (next !== page) writeFileSync(values.page, next);
  process.stderr.write(
    `docs:error-codes: ${name} ${next === page ? 'already matches' : 'rewritten from'} the catalogue (${Object.keys(ERROR_CODES).length} codes)\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`docs:error-codes: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
