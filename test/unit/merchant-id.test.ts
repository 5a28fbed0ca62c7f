/** The one merchant id rule, injective key escaping, and the names the drop folder derives from file names. */
import { ledgerKeys } from '../../src/apply/keys.js';
import { isMerchantId, merchantFromKeyPart, merchantKeyPart } from '../../src/core/merchant-id.js';
import { escapedEntryName, feedReportName, nameStem } from '../../src/ingest/file-names.js';
import { contentKey, merchantFeedIndexKey } from '../../src/queue/names.js';

describe('merchant ids', () => {
  it('accepts letters, digits, - and _ (1–50) and nothing else', () => {
    for (const id of ['A1KW3PLX9Q7ZT2', 'M_COL', 'a-b', 'x'.repeat(50)])
      expect([id, isMerchantId(id)]).toEqual([id, true]);
    for (const id of ['', 'MER CH', 'MÉRCH', 'MER\nCH', 'MERCHB:x', 'MERCHB ', 'M{COL', 'x'.repeat(51), '../up'])
      expect([id, isMerchantId(id)]).toEqual([id, false]);
  });

  it('escapes ids injectively in keys: M{COL and M_COL never share a key, valid ids are unchanged', () => {
    const ids = ['M{COL', 'M_COL', 'M}COL', 'M%7BCOL', 'MER CH', 'MÉRCH', 'MERCHB:x', 'A1'];
    const keys = ids.map((id) => ledgerKeys('p', id).stock());
    expect(new Set(keys).size).toBe(ids.length);
    expect(new Set(ids.map((id) => merchantFeedIndexKey('p', id))).size).toBe(ids.length);
    expect(new Set(ids.map((id) => contentKey('p', id, 'sha'))).size).toBe(ids.length);
    expect(ledgerKeys('p', 'M_COL').stock()).toBe('p:{m:M_COL}:stock');
    for (const key of keys) expect(key.match(/[{}]/g)).toEqual(['{', '}']); // the hash tag stays where it is
    for (const id of ids) expect(merchantFromKeyPart(merchantKeyPart(id))).toBe(id);
  });
});

describe('derived file names', () => {
  it('keeps short names, and shortens long ones by a hash, under the file-name limit', () => {
    expect(nameStem('stock.xml')).toBe('stock.xml');
    const long = `${'é'.repeat(120)}.xml`; // 243 bytes
    const other = `${'é'.repeat(120)}.txt`;
    expect(nameStem(long)).not.toBe(nameStem(other));
    expect(Buffer.byteLength(feedReportName(long, '50001', 'xml'))).toBeLessThan(200);
  });

  it('escapes entry paths into one name, distinct for distinct paths, never a dotfile', () => {
    const paths = ['MER CH', 'MER%20CH', 'MER\nCH', 'a/b', 'a%2Fb', '.hidden'];
    const names = paths.map(escapedEntryName);
    expect(new Set(names).size).toBe(paths.length);
    for (const name of names) expect(/^[A-Za-z0-9%_-][A-Za-z0-9%._-]*$/.test(name)).toBe(true);
  });
});
