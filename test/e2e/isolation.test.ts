/**
 * Per-merchant isolation on every door: two merchants and an operator (`keys create --operator`) each ask every
 * page and route — the MWS endpoint, the SP-API door, the JSON API, the web pages and the queue dashboard — and
 * the whole matrix of
 * answers is compared with what each may see. A merchant sees only its own feeds and never the dashboard (which
 * holds every merchant's jobs); the operator sees the dashboard and nothing of any merchant's.
 */
import { runCli } from '../helpers/cli.js';
import { MwsTestClient } from '../helpers/mws-client.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { lwaToken, type LwaKey } from '../helpers/sp-api.js';
import { WebClient } from '../helpers/web-client.js';

const A = 'A1ISOLATIONAAA';
const B = 'A1ISOLATIONBBB';
const FEED_TYPE = '_POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA_';

type Actor = 'merchant A' | 'merchant B' | 'operator';
interface Key {
  accessKeyId: string;
  secretKey: string;
  merchantId: string;
}
interface Who {
  key: Key;
  web: WebClient;
  mws: MwsTestClient;
  /** The SP-API access token from LWA; an operator's key has no LWA client, so its secret key stands in. */
  spToken: string;
}
const SP_FEED_TYPE = 'POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA';

let serve: ServeProcess;
const who = {} as Record<Actor, Who>;
let feedA = '';
let feedB = '';
let resultDocA = '';
let operatorLwa = 0;

beforeAll(async () => {
  // Waiting for the two feeds polls GetFeedSubmissionList; a faster quota restore keeps the probes below from
  // meeting Amazon's throttle (10, one back per 45 s): this test is about who sees what, not about throttling.
  serve = await startServe({ FEEDPROC_THROTTLE_SCALE: '0.01' });
  const operatorRun = await runCli(['keys', 'create', '--operator', '--format', 'json'], {
    env: { ...serve.env, FEEDPROC_MERCHANT: '' },
  });
  if (operatorRun.code !== 0) throw new Error(operatorRun.stderr);
  const keys: Record<Actor, Key> = {
    'merchant A': await serve.createKey(A),
    'merchant B': await serve.createKey(B),
    operator: JSON.parse(operatorRun.stdout) as Key,
  };
  for (const [actor, key] of Object.entries(keys) as Array<[Actor, Key]>) {
    const web = new WebClient(serve.base);
    const signedIn = await web.signIn(key.accessKeyId, key.secretKey);
    if (signedIn.status !== 303) throw new Error(`${actor} could not sign in: ${signedIn.status}`);
    who[actor] = { key, web, mws: new MwsTestClient(serve.port, key), spToken: key.secretKey };
  }
  for (const actor of ['merchant A', 'merchant B'] as const) {
    const answer = await lwaToken(serve.base, who[actor].key as Key & LwaKey);
    who[actor].spToken = ((await answer.json()) as { access_token: string }).access_token;
  }
  // The operator's own access key id and secret are no LWA client: the token endpoint refuses them.
  const operatorKey = keys.operator;
  operatorLwa = (
    await lwaToken(serve.base, {
      merchantId: '',
      lwaClientId: operatorKey.accessKeyId,
      lwaClientSecret: operatorKey.secretKey,
      refreshToken: operatorKey.secretKey,
    })
  ).status;
  const upload = async (key: Key, sku: string): Promise<string> => {
    const response = await fetch(`${serve.base}/feeds?feedType=${FEED_TYPE}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secretKey}` },
      body: `sku\tprice\tquantity\n${sku}\t29.99\t7\n`,
    });
    return ((await response.json()) as { feedSubmissionId: string }).feedSubmissionId;
  };
  feedA = await upload(keys['merchant A'], 'SKU-A');
  feedB = await upload(keys['merchant B'], 'SKU-B');
  await who['merchant A'].mws.waitDone(feedA);
  await who['merchant B'].mws.waitDone(feedB);
  const feedOfA = await fetch(`${serve.base}/feeds/2021-06-30/feeds/${feedA}`, {
    headers: { 'x-amz-access-token': who['merchant A'].spToken },
  });
  resultDocA = ((await feedOfA.json()) as { resultFeedDocumentId: string }).resultFeedDocumentId;
}, 120_000);

afterAll(async () => {
  await serve.stop();
});

/** One door's answer as a short comparable text: status, and the feed ids it shows (or where it redirects). */
type Probe = (actor: Actor) => Promise<string>;

const ids = (text: string): string =>
  [feedA, feedB]
    .filter((id) => text.includes(`>${id}<`) || text.includes(`"${id}"`) || text.includes(`<FeedSubmissionId>${id}`))
    .join(',');

const json =
  (path: () => string, showIds = false): Probe =>
  async (actor) => {
    const response = await fetch(`${serve.base}${path()}`, {
      headers: { authorization: `Bearer ${who[actor].key.secretKey}` },
    });
    const text = await response.text();
    return showIds && response.status === 200 ? `200 [${ids(text)}]` : String(response.status);
  };

const mws =
  (action: string, params: () => Record<string, string>, showIds = false): Probe =>
  async (actor) => {
    const answer = await who[actor].mws.call(action, params());
    return showIds && answer.status === 200 ? `200 [${ids(answer.text)}]` : String(answer.status);
  };

const web =
  (path: () => string, showIds = false): Probe =>
  async (actor) => {
    const answer = await who[actor].web.get(path());
    if (answer.status === 303) return `303 ${answer.location ?? ''}`;
    return showIds && answer.status === 200 ? `200 [${ids(answer.text)}]` : String(answer.status);
  };

const spApi =
  (path: () => string, showIds = false, method = 'GET'): Probe =>
  async (actor) => {
    const response = await fetch(`${serve.base}/feeds/2021-06-30${path()}`, {
      method,
      headers: { 'x-amz-access-token': who[actor].spToken },
    });
    const text = await response.text();
    return showIds && response.status === 200 ? `200 [${ids(text)}]` : String(response.status);
  };

/** Row: the door, how it is asked, and what merchant A, merchant B and the operator must get. */
const TABLE: Array<[string, Probe, () => [string, string, string]]> = [
  ['JSON GET /feeds', json(() => '/feeds', true), () => [`200 [${feedA}]`, `200 [${feedB}]`, '403']],
  ['JSON GET /feeds/{A}', json(() => `/feeds/${feedA}`), () => ['200', '404', '403']],
  ['JSON GET /feeds/{A}/result', json(() => `/feeds/${feedA}/result`), () => ['200', '404', '403']],
  [
    'MWS GetFeedSubmissionList',
    mws('GetFeedSubmissionList', () => ({}), true),
    () => [`200 [${feedA}]`, `200 [${feedB}]`, '403'],
  ],
  [
    'MWS GetFeedSubmissionResult {A}',
    mws('GetFeedSubmissionResult', () => ({ FeedSubmissionId: feedA })),
    () => ['200', '404', '403'],
  ],
  ['web /web/feeds', web(() => '/web/feeds', true), () => [`200 [${feedA}]`, `200 [${feedB}]`, '303 /web/queues']],
  ['web /web/feeds/{A}', web(() => `/web/feeds/${feedA}`), () => ['200', '404', '303 /web/queues']],
  ['web /web/feeds/{A}/report', web(() => `/web/feeds/${feedA}/report`), () => ['200', '404', '303 /web/queues']],
  ['web /web/orders', web(() => '/web/orders'), () => ['200', '200', '303 /web/queues']],
  ['web /web/upload', web(() => '/web/upload'), () => ['200', '200', '303 /web/queues']],
  ['web /web/cancel-rate', web(() => '/web/cancel-rate'), () => ['200', '200', '303 /web/queues']],
  ['dashboard /web/queues', web(() => '/web/queues'), () => ['403', '403', '200']],
  ['dashboard API /web/queues/api/queues', web(() => '/web/queues/api/queues'), () => ['403', '403', '200']],
  // The router decodes escapes before it matches: an encoded path reaches the same dashboard, and is refused alike.
  ['dashboard API, encoded path', web(() => '/web/qu%65ues/api/queues'), () => ['403', '403', '200']],
  ['dashboard, encoded path', web(() => '/web/%71ueues'), () => ['403', '403', '200']],
  [
    'SP-API getFeeds',
    spApi(() => `/feeds?feedTypes=${SP_FEED_TYPE}`, true),
    () => [`200 [${feedA}]`, `200 [${feedB}]`, '403'],
  ],
  ['SP-API getFeed {A}', spApi(() => `/feeds/${feedA}`), () => ['200', '404', '403']],
  ['SP-API getFeedDocument {A result}', spApi(() => `/documents/${resultDocA}`), () => ['200', '404', '403']],
  // A's feed is DONE: its owner is told it cannot be cancelled (400), anyone else that it does not exist.
  ['SP-API cancelFeed {A}', spApi(() => `/feeds/${feedA}`, false, 'DELETE'), () => ['400', '404', '403']],
];

describe('what each signed-in party can see on every door', () => {
  it('merchants see only their own feeds and never the dashboard; the operator sees only the dashboard', async () => {
    const seen: Record<string, [string, string, string]> = {};
    const expected: Record<string, [string, string, string]> = {};
    for (const [door, probe, want] of TABLE) {
      seen[door] = [await probe('merchant A'), await probe('merchant B'), await probe('operator')];
      expected[door] = want();
    }
    expect(seen).toEqual(expected);
    expect(resultDocA).not.toBe('');
    expect([400, 401]).toContain(operatorLwa);
  }, 120_000);

  it("shows a merchant its own feed's job states and recovery on the feed page, not on the dashboard", async () => {
    const page = await who['merchant A'].web.get(`/web/feeds/${feedA}`);
    expect(page.text).toContain(`>${feedA}<`);
    expect(page.text).not.toContain('Recovery');
    const refused = await who['merchant A'].web.get('/web/queues/api/queues');
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('HTTP_OPERATORS_ONLY');
  });
});
