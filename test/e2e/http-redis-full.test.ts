/**
 * Redis full (maxmemory reached with noeviction): a real `feedproc serve` against its own redis-server, filled
 * until it refuses writes. The HTTP doors answer 503 QUEUE_REDIS_FULL (a client comes back later), not 500;
 * `/health` says Redis cannot write; once memory is freed everything works again, without a restart.
 */
import { Redis } from 'ioredis';
import { adjustmentFeed } from '../helpers/feeds.js';
import { errorOf, md5Base64, MwsTestClient } from '../helpers/mws-client.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { sleep } from '../helpers/wait.js';

const MERCHANT = 'A1KW3PLX9Q7ZT2';
const XML_TYPE = '_POST_PAYMENT_ADJUSTMENT_DATA_';

/** Writes 64 KiB values until Redis refuses one with OOM. */
async function fill(client: Redis): Promise<void> {
  const used = Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1]);
  await client.config('SET', 'maxmemory', String(used + 2 * 1024 * 1024));
  const value = 'x'.repeat(64 * 1024);
  for (let i = 0; i < 10_000; i += 1) {
    try {
      await client.set(`filler:${i}`, value);
    } catch (err) {
      if (/OOM/.test((err as Error).message)) return;
      throw err;
    }
  }
  throw new Error('Redis never became full');
}

describe('Redis full at the HTTP doors', () => {
  let redis: RedisServer;
  let client: Redis;
  let serve: ServeProcess;
  let key: { accessKeyId: string; secretKey: string; merchantId: string };

  beforeAll(async () => {
    redis = await startRedisServer();
    client = new Redis(redis.url);
    serve = await startServe({ FEEDPROC_REDIS_URL: redis.url, FEEDPROC_THROTTLE_SCALE: '0.001' });
    key = await serve.createKey(MERCHANT);
  }, 90_000);
  afterAll(async () => {
    await serve?.stop();
    await client?.quit();
    await redis?.stop();
  });

  const upload = (body: string) =>
    fetch(`${serve.base}/feeds?feedType=${XML_TYPE}`, {
      method: 'POST',
      body,
      headers: { authorization: `Bearer ${key.secretKey}`, 'content-md5': md5Base64(body) },
    });

  it('answers 503 QUEUE_REDIS_FULL on both doors, /health 503 "full", and works again once memory is freed', async () => {
    const healthy = await fetch(`${serve.base}/health`);
    expect([healthy.status, await healthy.json()]).toEqual([200, { status: 'ok', redis: 'up' }]);

    await fill(client);

    const refused = await upload(adjustmentFeed(1));
    const answer = (await refused.json()) as { error: { code: string; feedprocCode: string; message: string } };
    expect([refused.status, answer.error.code, answer.error.feedprocCode]).toEqual([
      503,
      'ServiceUnavailable',
      'QUEUE_REDIS_FULL',
    ]);
    expect(answer.error.message).toContain('Redis is out of memory');
    const mws = await new MwsTestClient(serve.port, key).call('GetFeedSubmissionCount');
    expect([mws.status, errorOf(mws).Code]).toEqual([503, 'ServiceUnavailable']);
    const health = await fetch(`${serve.base}/health`);
    const said = (await health.json()) as { status: string; redis: string; reason: string };
    expect([health.status, said.status, said.redis]).toEqual([503, 'unavailable', 'full']);
    expect(said.reason).toContain('out of memory');

    await client.config('SET', 'maxmemory', '0');

    const again = await fetch(`${serve.base}/health`);
    expect([again.status, await again.json()]).toEqual([200, { status: 'ok', redis: 'up' }]);
    const accepted = await upload(adjustmentFeed(2));
    const info = (await accepted.json()) as { feedSubmissionId: string };
    expect(accepted.status).toBe(201);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const state = (await (
        await fetch(`${serve.base}/feeds/${info.feedSubmissionId}`, {
          headers: { authorization: `Bearer ${key.secretKey}` },
        })
      ).json()) as { feedProcessingStatus: string };
      if (state.feedProcessingStatus === '_DONE_') break;
      if (Date.now() > deadline) throw new Error(`feed still ${state.feedProcessingStatus}`);
      await sleep(100);
    }
  });
});
