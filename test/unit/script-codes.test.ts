import { readFileSync, readdirSync } from 'node:fs';
import { ERROR_CODES } from '../../src/core/error-codes.js';
import { OUTCOME_CODES, describeOutcome } from '../../src/apply/script-codes.js';
import { REPO_ROOT } from '../helpers/cli.js';

const LUA_DIR = `${REPO_ROOT}src/apply/lua/`;
const ctx = { merchantId: 'M1', orderId: '402-0000001-0000001', idKind: 'AmazonOrderID' as const, itemRef: '11111111111111' };

describe('ledger script outcomes', () => {
  it('maps every code a script returns, and no code no script returns', () => {
    const returned = new Set<string>();
    for (const file of readdirSync(LUA_DIR).filter((f) => /-\d+\.lua$/.test(f))) {
      for (const [, code] of readFileSync(LUA_DIR + file, 'utf8').matchAll(/finish\('(-?\d+)/g)) returned.add(code as string);
      for (const [, code] of readFileSync(LUA_DIR + file, 'utf8').matchAll(/return '(-\d+)\|/g)) returned.add(code as string);
    }
    expect([...returned].sort()).toEqual([...OUTCOME_CODES].sort());
  });

  it('names the script header of every code', () => {
    for (const file of readdirSync(LUA_DIR).filter((f) => /^apply-.*-\d+\.lua$/.test(f))) {
      const source = readFileSync(LUA_DIR + file, 'utf8');
      const header = source.slice(0, source.indexOf(']]'));
      for (const [, code] of source.matchAll(/(?:finish\('|return ')(-\d+)/g)) expect([file, header.includes(`"${code}`)]).toEqual([file, true]);
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
