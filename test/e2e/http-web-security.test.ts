/**
 * The web pages' defences over real sockets against a real `feedproc serve`: sign-in required everywhere,
 * session cookie flags and storage, CSRF tokens on every form (a refused form changes nothing), revoked keys,
 * HTML injection through seller notes, SKUs, report descriptions and query strings, and upload file names
 * that try to leave the drop folder.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, sep } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { connectTestRedis } from '../helpers/redis.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { makeTempDir } from '../helpers/tmp.js';
import { csrfOf, recentOrderReport, SAMPLE_MERCHANT, WebClient } from '../helpers/web-client.js';
import { waitUntil } from '../helpers/wait.js';

const ORDER = '405-1957340-6602218';
const HOSTILE_SKU = '<img src=x onerror=alert(1)>';
const HOSTILE_NOTE = '<script>alert(1)</script>';

let serve: ServeProcess;
let tmp: ReturnType<typeof makeTempDir>;
let redis: Redis;
let key: { accessKeyId: string; secretKey: string };

beforeAll(async () => {
  tmp = makeTempDir('feedproc-web-security-');
  serve = await startServe();
  // The order of ORDER sells a SKU that is an HTML tag.
  await serve.importOrders(
    SAMPLE_MERCHANT,
    recentOrderReport(tmp.dir, (text) =>
      text.replace(/^(405-1957340-6602218\t[^\n]*?\t)DESKA-BUK-40X25\t/m, `$1${HOSTILE_SKU}\t`),
    ),
  );
  key = await serve.createKey(SAMPLE_MERCHANT);
  redis = connectTestRedis();
}, 60_000);

afterAll(async () => {
  await redis?.quit();
  await serve?.stop();
  tmp?.cleanup();
});

const signedIn = async (): Promise<WebClient> => {
  const client = new WebClient(serve.base);
  const answer = await client.signIn(key.accessKeyId, key.secretKey);
  expect([answer.status, answer.location]).toEqual([303, '/web/feeds']);
  return client;
};

/** The order as the JSON API shows it (the ledger's state). */
const orderState = async (orderId: string): Promise<unknown> => {
  const response = await fetch(`${serve.base}/orders/${orderId}`, {
    headers: { authorization: `Bearer ${key.secretKey}` },
  });
  expect(response.status).toBe(200);
  return response.json();
};

const metrics = async (): Promise<unknown> =>
  (await fetch(`${serve.base}/metrics`, { headers: { authorization: `Bearer ${key.secretKey}` } })).json();

const feedCount = async (): Promise<number> =>
  (
    (await (
      await fetch(`${serve.base}/feeds/count`, { headers: { authorization: `Bearer ${key.secretKey}` } })
    ).json()) as { count: number }
  ).count;

/** Polls the feed's page until the feed is _DONE_ (the pipeline works in the background). */
const waitForDone = (client: WebClient, feedId: string): Promise<string> =>
  waitUntil(
    `feed ${feedId} shown as done`,
    async () => {
      const answer = await client.get(`/web/feeds/${feedId}`);
      return answer.text.includes('data-status="_DONE_"') ? answer.text : undefined;
    },
    60_000,
    100,
  );

const upload = (csrf: string | null, feedType: string, content: string, fileName = 'feed.txt'): FormData => {
  const form = new FormData();
  if (csrf !== null) form.append('_csrf', csrf);
  form.append('feedType', feedType);
  form.append('file', new Blob([content]), fileName);
  return form;
};

const filesUnder = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
      )
    : [];

describe('sign-in', () => {
  it('sends every page to the sign-in form without a session, GET and POST alike', async () => {
    const anonymous = new WebClient(serve.base);
    for (const path of [
      '/web/',
      '/web/feeds',
      '/web/upload',
      '/web/feeds/50001',
      '/web/feeds/50001/report',
      '/web/orders',
      `/web/orders/${ORDER}`,
      '/web/cancel-rate',
      '/web/queues',
      '/web/queues/api/queues',
      '/web/nowhere',
    ]) {
      const answer = await anonymous.get(path);
      expect([path, answer.status, answer.location]).toEqual([
        path,
        303,
        `/web/sign-in?next=${encodeURIComponent(path)}`,
      ]);
    }
    const before = await orderState(ORDER);
    const post = await anonymous.post(`/web/orders/${ORDER}/cancel`, {
      step: 'confirm',
      reason: 'NoInventory',
      requestId: randomUUID(),
    });
    expect([post.status, post.location]).toEqual([303, '/web/sign-in?next=%2Fweb%2Ffeeds']);
    expect(await orderState(ORDER)).toEqual(before);
    // The sign-in page itself is reachable, with its own CSRF token.
    const form = await anonymous.get('/web/sign-in');
    expect(form.status).toBe(200);
    expect(csrfOf(form.text)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('sets an HttpOnly, SameSite=Strict, Path=/ session cookie and keeps only a hash of it in Redis, with a TTL', async () => {
    const client = new WebClient(serve.base);
    const answer = await client.signIn(key.accessKeyId, key.secretKey);
    const cookie = answer.setCookies.find((c) => c.startsWith('feedproc_session='));
    expect(cookie).toBeDefined();
    const attributes = (cookie as string).split(';').map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=strict', 'path=/']));
    expect(attributes).not.toContain('secure'); // plain http here; over https the cookie is Secure
    const token = client.cookies.get('feedproc_session') as string;
    const stored = await redis.keys(`${serve.prefix}:{sessions}:session:*`);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.some((k) => k.includes(token))).toBe(false);
    for (const k of stored) {
      const ttl = await redis.ttl(k);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(8 * 3600);
    }
    const page = await client.get('/web/feeds');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc="\/web\/app\.js")/); // no inline script
  });

  it('refuses a wrong secret without a session', async () => {
    const client = new WebClient(serve.base);
    const form = await client.get('/web/sign-in');
    const answer = await client.post('/web/sign-in', {
      _csrf: csrfOf(form.text),
      accessKeyId: key.accessKeyId,
      secretKey: 'not-the-secret',
    });
    expect(answer.status).toBe(401);
    expect(answer.text).toContain('The access key ID or the secret key is wrong.');
    expect(client.cookies.has('feedproc_session')).toBe(false);
  });

  it('ends the sessions of a revoked key and refuses its sign-in', async () => {
    const other = await serve.createKey(SAMPLE_MERCHANT);
    const client = new WebClient(serve.base);
    expect((await client.signIn(other.accessKeyId, other.secretKey)).status).toBe(303);
    expect((await client.get('/web/orders')).status).toBe(200);
    await serve.revokeKey(other.accessKeyId);
    const after = await client.get('/web/orders');
    expect([after.status, after.location]).toEqual([303, '/web/sign-in?next=%2Fweb%2Forders']);
    expect(client.cookies.has('feedproc_session')).toBe(false);
    const again = new WebClient(serve.base);
    const refused = await again.signIn(other.accessKeyId, other.secretKey);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain(`Access key ${other.accessKeyId} was revoked.`);
    expect(again.cookies.has('feedproc_session')).toBe(false);
  });
});

describe('CSRF', () => {
  it("refuses the sign-in form without its token or with another browser's", async () => {
    const client = new WebClient(serve.base);
    await client.get('/web/sign-in');
    const missing = await client.post('/web/sign-in', { accessKeyId: key.accessKeyId, secretKey: key.secretKey });
    const elsewhere = new WebClient(serve.base);
    const foreign = csrfOf((await elsewhere.get('/web/sign-in')).text);
    const wrong = await client.post('/web/sign-in', {
      _csrf: foreign,
      accessKeyId: key.accessKeyId,
      secretKey: key.secretKey,
    });
    for (const answer of [missing, wrong]) {
      expect(answer.status).toBe(403);
      expect(answer.text).toContain('data-code="HTTP_CSRF"');
    }
    expect(client.cookies.has('feedproc_session')).toBe(false);
  });

  it("refuses sign-out, upload and both cancel steps without the session's token, and nothing changes", async () => {
    const client = await signedIn();
    const other = await signedIn();
    const foreign = csrfOf((await other.get('/web/feeds')).text);
    const own = csrfOf((await client.get('/web/feeds')).text);
    expect(foreign).not.toBe(own);
    const orderBefore = await orderState(ORDER);
    const metricsBefore = await metrics();
    const feedsBefore = await feedCount();
    const cancel = { reason: 'NoInventory', note: 'csrf', item: ['50317578862206'] };
    for (const token of [undefined, '', foreign, `${own}x`]) {
      const withToken = (form: Record<string, string | string[]>) =>
        token === undefined ? form : { ...form, _csrf: token };
      const answers = [
        await client.post('/web/sign-out', withToken({})),
        await client.post(`/web/orders/${ORDER}/cancel`, withToken({ ...cancel, step: 'review' })),
        await client.post(
          `/web/orders/${ORDER}/cancel`,
          withToken({ ...cancel, step: 'confirm', requestId: randomUUID() }),
        ),
        await client.postMultipart(
          '/web/upload',
          upload(
            token ?? null,
            '_POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA_',
            'sku\tprice\tquantity\nKUBEK-350-NIEBIESKI\t29.99\t7\n',
          ),
        ),
        await client.post('/web/upload', withToken({ feedType: '_POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA_' })),
      ];
      for (const answer of answers) {
        expect([token, answer.status, answer.text.includes('data-code="HTTP_CSRF"')]).toEqual([token, 403, true]);
      }
    }
    expect(await orderState(ORDER)).toEqual(orderBefore);
    expect(await metrics()).toEqual(metricsBefore);
    expect(await feedCount()).toBe(feedsBefore);
    expect((await client.get('/web/feeds')).status).toBe(200); // still signed in: the sign-out was refused
    // The dashboard's own API (no form tokens) takes changes only from this origin.
    const crossSite = await fetch(`${serve.base}/web/queues/api/queues/feed-apply/pause`, {
      method: 'PUT',
      headers: { cookie: `feedproc_session=${client.cookies.get('feedproc_session')}`, 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
  });
});

describe('escaping', () => {
  it('shows a hostile seller note and SKU as text on every page that shows them', async () => {
    const client = await signedIn();
    const order = await client.get(`/web/orders/${ORDER}`);
    const review = await client.post(`/web/orders/${ORDER}/cancel`, {
      _csrf: csrfOf(order.text),
      step: 'review',
      reason: 'NoInventory',
      note: HOSTILE_NOTE,
      item: '50317578862206',
    });
    expect(review.status).toBe(200);
    const confirm = await client.post(`/web/orders/${ORDER}/cancel`, {
      _csrf: csrfOf(review.text),
      step: 'confirm',
      requestId: (/name="requestId" value="([^"]+)"/.exec(review.text) as RegExpExecArray)[1] as string,
      reason: 'NoInventory',
      note: HOSTILE_NOTE,
      item: '50317578862206',
    });
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('data-result="Cancelled"');
    expect(((await orderState(ORDER)) as { sellerNote: string }).sellerNote).toBe(HOSTILE_NOTE);
    const pages = {
      review: review.text,
      confirm: confirm.text,
      order: (await client.get(`/web/orders/${ORDER}`)).text,
      list: (await client.get('/web/orders')).text,
      search: (await client.get(`/web/orders?q=${encodeURIComponent(HOSTILE_SKU)}`)).text,
    };
    for (const [name, text] of Object.entries(pages)) {
      expect([name, text.includes('<script>alert(1)'), text.includes('<img src=x')]).toEqual([name, false, false]);
    }
    for (const name of ['review', 'confirm', 'order'] as const)
      expect([name, pages[name].includes('&lt;script&gt;alert(1)&lt;/script&gt;')]).toEqual([name, true]);
    for (const name of ['review', 'order', 'list', 'search'] as const)
      expect([name, pages[name].includes('&lt;img src=x onerror=alert(1)&gt;')]).toEqual([name, true]);
    expect(pages.search).toContain(`data-order="${ORDER}"`);
  });

  it('shows hostile SKUs, report descriptions and filter text from a feed as text', async () => {
    const client = await signedIn();
    const form = await client.get('/web/upload');
    const feed = `sku\tprice\tquantity\n${HOSTILE_SKU}\t19.99\t<b>5</b>\n`;
    const sent = await client.postMultipart(
      '/web/upload',
      upload(csrfOf(form.text), '_POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA_', feed, '<svg onload=alert(1)>.txt'),
    );
    expect(sent.status).toBe(303);
    const feedId = (/^\/web\/feeds\/(\d+)$/.exec(sent.location ?? '') as RegExpExecArray)[1] as string;
    const report = await waitForDone(client, feedId);
    expect(report).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(report).toContain('&#39;&lt;b&gt;5&lt;/b&gt;&#39;');
    expect(report).not.toContain('<img src=x');
    expect(report).not.toContain('<b>5</b>');
    expect(report).not.toContain('<svg');
    const filtered = await client.get(`/web/feeds/${feedId}?q=${encodeURIComponent('"><script>alert(1)</script>')}`);
    expect(filtered.text).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(filtered.text).not.toContain('<script>alert(1)');
    const list = (await client.get('/web/feeds')).text;
    expect(list).not.toContain('<svg');
  });
});

describe('uploads', () => {
  it('answers an empty file or an unknown FeedType on the form, with nothing submitted', async () => {
    const client = await signedIn();
    const before = await feedCount();
    const empty = await client.postMultipart(
      '/web/upload',
      upload(csrfOf((await client.get('/web/upload')).text), '_POST_PAYMENT_ADJUSTMENT_DATA_', ''),
    );
    expect([empty.status, empty.text.includes('The feed body is empty.')]).toEqual([400, true]);
    const unknown = await client.postMultipart(
      '/web/upload',
      upload(csrfOf(empty.text), '_POST_<b>_', 'sku\tquantity\n'),
    );
    expect([
      unknown.status,
      unknown.text.includes('FeedType _POST_&lt;b&gt;_ is not a feed type feedproc processes.'),
    ]).toEqual([400, true]);
    expect(await feedCount()).toBe(before);
  });

  it('never takes the stored file name from the client, whatever path it names', async () => {
    const client = await signedIn();
    const escapee = `evil-${randomUUID()}`;
    const feedIds: string[] = [];
    for (const name of [`../../../../../tmp/${escapee}.txt`, `..\\..\\${escapee}.txt`, `/etc/${escapee}.txt`]) {
      const form = await client.get('/web/upload');
      const feed = `sku\tprice\tquantity\nKUBEK-350-NIEBIESKI\t29.99\t${Math.floor(Math.random() * 1000) + 1}\n`;
      const sent = await client.postMultipart(
        '/web/upload',
        upload(csrfOf(form.text), '_POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA_', feed, name),
      );
      expect(sent.status).toBe(303);
      const feedId = (/^\/web\/feeds\/(\d+)$/.exec(sent.location ?? '') as RegExpExecArray)[1] as string;
      feedIds.push(feedId);
      const page = await waitForDone(client, feedId);
      expect(page).toContain(`upload-${feedId}.txt`);
      expect(page).not.toContain(escapee);
      const info = (await (
        await fetch(`${serve.base}/feeds/${feedId}`, { headers: { authorization: `Bearer ${key.secretKey}` } })
      ).json()) as { feedProcessingStatus: string };
      expect(info.feedProcessingStatus).toBe('_DONE_');
    }
    const stored = filesUnder(serve.feedsDir);
    for (const feedId of feedIds)
      expect(stored.filter((f) => f.endsWith(`${sep}upload-${feedId}.txt`)).length).toBeGreaterThan(0);
    expect(stored.filter((f) => f.includes(escapee))).toEqual([]);
    expect(existsSync(`/tmp/${escapee}.txt`)).toBe(false);
    expect(existsSync(`/etc/${escapee}.txt`)).toBe(false);
    expect(existsSync(join(serve.feedsDir, '..', `${escapee}.txt`))).toBe(false);
  });
});
