/**
 * The HTTP doors in process, through fastify.inject, with Redis down (a real client whose server does not answer):
 * what needs no Redis answers, what needs it fails with a clear answer, and every answered request is one pino
 * line with the path but never the query string (an MWS query carries the access key id and the signature).
 */
import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { withLedgerScripts } from '../../src/apply/scripts.js';
import { loadConfig } from '../../src/core/config.js';
import { dropFolder } from '../../src/ingest/drop-folder.js';
import { startDropWatcher, type DropWatcher } from '../../src/ingest/drop-watcher.js';
import { AccessKeyStore } from '../../src/http/access-keys.js';
import { FeedService } from '../../src/http/feed-service.js';
import { buildServer } from '../../src/http/server.js';
import { Throttle } from '../../src/http/throttle.js';
import { DestinationStore } from '../../src/notify/destinations.js';
import { APPLY_QUEUE } from '../../src/queue/names.js';
import type { PipelineDeps } from '../../src/queue/pipeline-deps.js';
import { createSchemaRegistry } from '../../src/validate/index.js';
import { makeTempDir } from '../helpers/tmp.js';

const tmp = makeTempDir();
const logged: Array<Record<string, unknown>> = [];
let app: FastifyInstance;
let watcher: DropWatcher;
let redis: Redis;
let queue: Queue;

beforeAll(async () => {
  const schemas = createSchemaRegistry();
  const config = loadConfig(schemas.byName('config.schema.json'), {
    env: {},
    flags: { prefix: 'unit', feedsDir: tmp.dir },
  });
  // Port 1 refuses at once; no offline queue and no reconnection, so each command fails instead of waiting.
  const down = { port: 1, lazyConnect: true, enableOfflineQueue: false, retryStrategy: () => null };
  redis = new Redis({ ...down, maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined);
  const queueConnection = new Redis({ ...down, maxRetriesPerRequest: null });
  queueConnection.on('error', () => undefined);
  queue = new Queue(APPLY_QUEUE, { connection: queueConnection, prefix: 'unit' });
  queue.on('error', () => undefined);
  const deps: PipelineDeps = {
    config,
    redis: withLedgerScripts(redis),
    schemas,
    queue,
    now: () => new Date().toISOString(),
  };
  const folder = dropFolder(tmp.dir);
  const timing = {
    stableMs: 50,
    maxWaitMs: 1000,
    pollMs: 50,
    rescanMs: 60_000,
    retryMs: 60_000,
    maxRetryMs: 60_000,
    giveUpAfter: 6,
  };
  watcher = await startDropWatcher(deps, folder, timing, () => undefined);
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const context = {
    config,
    deps,
    keys: new AccessKeyStore(redis, config.prefix, Buffer.alloc(32, 7)),
    feeds: new FeedService(deps, folder, watcher, Buffer.alloc(32, 5)),
    throttle: new Throttle(redis, config.prefix, 1),
    destinations: new DestinationStore(redis, config.prefix, Buffer.alloc(32, 7)),
    sessionSecret: Buffer.alloc(32, 9),
  };
  app = await buildServer(context, pino(sink));
});

afterAll(async () => {
  await app?.close();
  await watcher?.stop(1000);
  await queue?.close().catch(() => undefined);
  redis?.disconnect();
  tmp.cleanup();
});

describe('the HTTP doors through fastify.inject, Redis down', () => {
  it('serves the OpenAPI description, which needs no Redis', async () => {
    const answer = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({ openapi: '3.1.0' });
  });

  it('refuses a JSON API call without a Bearer key before asking Redis anything', async () => {
    const answer = await app.inject({ method: 'GET', url: '/feeds' });
    expect(answer.statusCode).toBe(401);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
  });

  it('answers an MWS call without a Version with an ErrorResponse naming the parameter', async () => {
    const answer = await app.inject({ method: 'GET', url: '/?Action=GetFeedSubmissionList' });
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toMatch(/<ErrorResponse[\s\S]*<Code>MissingParameter<\/Code>[\s\S]*Version/);
  });

  it('does not call the server healthy on /health (503, Redis down, with the reason)', async () => {
    const answer = await app.inject({ method: 'GET', url: '/health' });
    expect(answer.statusCode).toBe(503);
    expect(answer.json()).toEqual({
      status: 'unavailable',
      redis: 'down',
      reason: expect.stringMatching(/^Redis does not answer: /),
    });
  });

  it('logs each answered request through pino: method, path and status, never the query string', async () => {
    logged.length = 0;
    await app.inject({
      method: 'GET',
      url: '/?Action=GetFeedSubmissionList&AWSAccessKeyId=AKIDUNIT&Signature=c2VjcmV0',
    });
    const lines = logged.filter((line) => line['event'] === 'request');
    expect(lines).toEqual([
      expect.objectContaining({
        component: 'http',
        method: 'GET',
        path: '/',
        status: 400,
        msg: expect.stringMatching(/^GET \/ 400 /),
      }),
    ]);
    expect(JSON.stringify(logged)).not.toMatch(/AKIDUNIT|c2VjcmV0|Signature/);
  });
});
