import { readFileSync, readdirSync } from 'node:fs';
import { ERROR_CODES } from '../../src/core/error-codes.js';
import { OUTCOME_CODES, describeOutcome } from '../../src/apply/script-codes.js';
import { REPO_ROOT } from '../helpers/cli.js';

const LUA_DIR = `${REPO_ROOT}src/apply/lua/`;
const LIB_DIR = `${LUA_DIR}lib/`;
const ctx = {
  merchantId: 'M1',
  orderId: '402-0000001-0000001',
  idKind: 'AmazonOrderID' as const,
  itemRef: '11111111111111',
};

/**
 * The rules of each feed type (src/apply/lua/lib) and the scripts (src/apply/lua, e.g. apply-messages-3+n.lua):
 * their header, and the outcome codes their code returns.
 */
function ruleFiles(): Array<{ file: string; header: string; codes: string[] }> {
  const files = [...readdirSync(LIB_DIR).map((f) => `lib/${f}`), ...readdirSync(LUA_DIR)];
  return files
    .filter((f) => f.endsWith('.lua'))
    .map((file) => {
      const source = readFileSync(LUA_DIR + file, 'utf8');
      const end = source.indexOf(']]');
      const codes = [...source.slice(end).matchAll(/'(-\d+)(?:\||')/g)].map((m) => m[1] as string);
      return { file, header: source.slice(0, end), codes };
    });
}

describe('ledger script outcomes', () => {
  it('maps every code a script returns, and no code no script returns', () => {
    const returned = new Set(['0', ...ruleFiles().flatMap((r) => r.codes)]);
    expect([...returned].sort()).toEqual([...OUTCOME_CODES].sort());
  });

  it('names every code in the header of the rule that returns it', () => {
    for (const { file, header, codes } of ruleFiles()) {
      for (const code of codes) expect([file, code, header.includes(`"${code}`)]).toEqual([file, code, true]);
    }
  });

  it('turns outcomes into catalogue results with amounts in the order currency', () => {
    expect(describeOutcome('0', ctx)).toBeNull();
    const problem = describeOutcome('-6|13000|12915|PLN', ctx);
    expect(problem?.code).toBe('LEDGER_NET_OVER_BALANCE');
    expect(problem?.context).toMatchObject({ net: '130.00', remaining: '129.15', currency: 'PLN' });
    expect(ERROR_CODES[problem?.code ?? 'INTERNAL'].resultMessageCode).toBe(97103);
    expect(() => describeOutcome('-99', ctx)).toThrow(/unknown outcome/);
  });
});
