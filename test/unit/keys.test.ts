/** The key builders: every key of one merchant under the same escaped hash tag, whichever module asks. */
import { ledgerKeys, merchantOfKey, merchantTag } from '../../src/apply/keys.js';
import { accessKeyKeys, sessionKey, throttleKey } from '../../src/http/keys.js';
import { contentKey, merchantFeedIndexKey } from '../../src/queue/names.js';

describe('the key builders', () => {
  it('put a merchant with braces in its id under one escaped tag, throttle buckets included', () => {
    const odd = 'A1{x}B';
    const tag = 'p:{m:A1%7Bx%7DB}';
    expect(merchantTag('p', 'A1_x_B')).not.toBe(merchantTag('p', odd));
    expect(merchantTag('p', odd)).toBe(tag);
    expect(throttleKey('p', odd, 'SubmitFeed')).toBe(`${tag}:throttle:SubmitFeed`);
    expect(ledgerKeys('p', odd).stock()).toBe(`${tag}:stock`);
    expect(merchantFeedIndexKey('p', odd)).toBe(`${tag}:feeds`);
    expect(contentKey('p', odd, 'abc')).toBe(`${tag}:sha:abc`);
  });

  it('reads the merchant back from a ledger key', () => {
    expect(merchantOfKey(ledgerKeys('p', 'A1MERCHANT').events())).toBe('A1MERCHANT');
    expect(merchantOfKey(ledgerKeys('p', 'M{COL').events())).toBe('M{COL');
    expect(merchantOfKey('p:{keys}:index')).toBeNull();
  });

  it('keeps access keys and sessions under tags of their own', () => {
    expect(accessKeyKeys('p')).toEqual({
      key: expect.any(Function),
      bySecret: expect.any(Function),
      index: 'p:{keys}:index',
    });
    expect(accessKeyKeys('p').key('AKID')).toBe('p:{keys}:key:AKID');
    expect(accessKeyKeys('p').bySecret('00ff')).toBe('p:{keys}:by-secret:00ff');
    expect(sessionKey('p', '00ff')).toBe('p:{sessions}:session:00ff');
  });
});
