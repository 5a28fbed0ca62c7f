/**
 * Throttling on every route, with the real bursts and restore intervals 1,000 times the real ones
 * (FEEDPROC_THROTTLE_SCALE 1000: at the real rate ViewPage gives a token back every second, which a loaded machine
 * reaches within one loop of 60 pages; here none comes back within the test). A page doing an API route's work
 * draws on that route's bucket (the web cancel on CancelOrder, the cancel-rate panel on GetMetrics with /metrics),
 * destinations have a bucket of their own, and every other page, the operator's dashboard included, draws on
 * ViewPage. A refused page is an HTML error page, a refused dashboard call JSON: neither is a 500.
 */
import { call } from '../helpers/json-client.js';
import { runCli } from '../helpers/cli.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { makeTempDir } from '../helpers/tmp.js';
import { recentOrderReport, WebClient } from '../helpers/web-client.js';

const MERCHANT = 'A2THROTTLE';
const NO_ORDER = '405-9999999-9999999';
const ERROR_CODE = /id="error" data-code="([A-Z_]+)"/;

describe('throttling on every route', () => {
  let serve: ServeProcess;
  let key: { accessKeyId: string; secretKey: string };
  let web: WebClient;
  const tmp = makeTempDir('feedproc-throttle-');

  beforeAll(async () => {
    serve = await startServe({ FEEDPROC_THROTTLE_SCALE: '1000' });
    key = await serve.createKey(MERCHANT);
    await serve.importOrders(MERCHANT, recentOrderReport(tmp.dir));
    web = new WebClient(serve.base);
    expect((await web.signIn(key.accessKeyId, key.secretKey)).status).toBe(303);
  }, 90_000);
  afterAll(async () => {
    await serve?.stop();
    tmp.cleanup();
  });

  const cancelByApi = () =>
    call(serve, `/orders/${NO_ORDER}/cancel`, {
      method: 'POST',
      secret: key.secretKey,
      body: JSON.stringify({ reason: 'NoInventory' }),
      headers: { 'content-type': 'application/json' },
    });
  const webCsrf = async (): Promise<string> => {
    const match = /name="_csrf" value="([^"]+)"/.exec((await web.get('/web/orders')).text);
    return match?.[1] ?? '';
  };

  it('the web cancel draws on the API cancel bucket; destinations on their own', async () => {
    const csrf = await webCsrf();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) statuses.push((await cancelByApi()).status);
    for (let i = 0; i < 10; i += 1) {
      const review = { _csrf: csrf, reason: 'NoInventory', note: '', step: 'review' };
      statuses.push((await web.post(`/web/orders/${NO_ORDER}/cancel`, review)).status);
    }
    expect(statuses).toEqual(Array(20).fill(404)); // 20 of CancelOrder's burst of 20, through both doors
    const refusedPage = await web.post(`/web/orders/${NO_ORDER}/cancel`, { _csrf: csrf, reason: 'NoInventory' });
    expect([refusedPage.status, ERROR_CODE.exec(refusedPage.text)?.[1]]).toEqual([503, 'HTTP_THROTTLED']);
    expect((await cancelByApi()).json?.error?.code).toBe('RequestThrottled');

    // Adding a destination is not a cancellation: its bucket is untouched by the above.
    const added = await call(serve, '/destinations', {
      method: 'POST',
      secret: key.secretKey,
      body: JSON.stringify({ url: 'http://127.0.0.1:9/hook' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(added.status).toBe(201);
    const lists: number[] = [];
    for (let i = 0; i < 10; i += 1) lists.push((await call(serve, '/destinations', { secret: key.secretKey })).status);
    expect(lists).toEqual([...Array(9).fill(200), 503]); // 10 in all with the POST
  });

  it('the cancel-rate panel and /metrics share one bucket', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      statuses.push((await call(serve, '/metrics?days=365', { secret: key.secretKey })).status);
      statuses.push((await web.get('/web/cancel-rate?days=365')).status);
    }
    expect(statuses).toEqual(Array(10).fill(200));
    const panel = await web.get('/web/cancel-rate?days=365');
    expect([panel.status, ERROR_CODE.exec(panel.text)?.[1]]).toEqual([503, 'HTTP_THROTTLED']);
    expect((await call(serve, '/metrics', { secret: key.secretKey })).status).toBe(503);
  });

  it('every other page draws on ViewPage: 60 at once, then an error page', async () => {
    const statuses: number[] = [];
    // One view already (webCsrf read /web/orders); the sign-in pages are public and draw on nothing.
    for (let i = 0; i < 59; i += 1) statuses.push((await web.get(i % 2 === 0 ? '/web/orders' : '/web/feeds')).status);
    expect(statuses).toEqual(Array(59).fill(200));
    const refused = await web.get(`/web/orders/${NO_ORDER}`);
    expect([refused.status, ERROR_CODE.exec(refused.text)?.[1]]).toEqual([503, 'HTTP_THROTTLED']);
  });

  it("throttles the operator's dashboard too, answering its scripts in JSON", async () => {
    const made = await runCli(['keys', 'create', '--operator', '--format', 'json'], { env: serve.env });
    const operatorKey = JSON.parse(made.stdout) as { accessKeyId: string; secretKey: string };
    const operator = new WebClient(serve.base);
    expect((await operator.signIn(operatorKey.accessKeyId, operatorKey.secretKey)).status).toBe(303);
    const statuses: number[] = [];
    for (let i = 0; i < 60; i += 1) statuses.push((await operator.get('/web/queues/api/queues')).status);
    expect(statuses).toEqual(Array(60).fill(200));
    const refused = await operator.get('/web/queues/api/queues');
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.text)).toMatchObject({
      error: { code: 'RequestThrottled', feedprocCode: 'HTTP_THROTTLED' },
    });
  });
});
