import { readFileSync } from 'node:fs';
import { ERROR_CODES } from '../../src/core/error-codes.js';
import { REPO_ROOT } from '../helpers/cli.js';

/** The table of docs/error-codes.md (written by `npm run docs:error-codes`), parsed back into rows. */
function pageTable(): string[][] {
  const page = readFileSync(`${REPO_ROOT}docs/error-codes.md`, 'utf8');
  const table = page.split('<!-- error-codes:start -->')[1]?.split('<!-- error-codes:end -->')[0] ?? '';
  return table
    .trim()
    .split('\n')
    .slice(2)
    .map((line) =>
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.trim().replace(/\\\|/g, '|')),
    );
}

describe('error catalogue', () => {
  it('is mirrored exactly by the table of docs/error-codes.md', () => {
    const catalogue = Object.entries(ERROR_CODES).map(([code, e]) => [
      `\`${code}\``,
      e.resultMessageCode === null ? '—' : String(e.resultMessageCode),
      e.resultCode,
      e.scope,
      e.text,
    ]);
    expect(pageTable()).toEqual(catalogue);
  });

  it('gives every code that reaches a report a number, and only system and HTTP codes none', () => {
    for (const [code, e] of Object.entries(ERROR_CODES)) {
      expect([code, e.resultMessageCode === null]).toEqual([code, e.scope === 'system' || e.scope.startsWith('http ')]);
    }
  });

  it('gives every HTTP code a status and an MWS error code', () => {
    for (const [code, e] of Object.entries(ERROR_CODES)) {
      if (e.scope.startsWith('http '))
        expect([code, /^http [1-5]\d\d [A-Z][A-Za-z0-9]+$/.test(e.scope)]).toEqual([code, true]);
    }
  });

  it('uses feedproc numbers only from its own range', () => {
    const amazon = new Set([5000, 5001, 5005, 18028, 90012, 90061]);
    for (const e of Object.values(ERROR_CODES)) {
      if (e.resultMessageCode !== null && !amazon.has(e.resultMessageCode)) {
        expect(e.resultMessageCode).toBeGreaterThanOrEqual(97000);
        expect(e.resultMessageCode).toBeLessThan(98000);
      }
    }
  });
});
