/**
 * `feedproc serve [--port P]`: the HTTP server (MWS-compatible endpoint, JSON API, web pages) beside the drop-folder
 * watcher and the workers, all in one process; what `npm start` runs. It prints its URL once listening.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../../core/config.js';
import { AccessKeyStore } from '../../http/access-keys.js';
import { FeedService } from '../../http/feed-service.js';
import { buildServer } from '../../http/server.js';
import { loadServerKey } from '../../http/server-key.js';
import { Throttle } from '../../http/throttle.js';
import { DestinationStore } from '../../notify/destinations.js';
import { createFeedDeliverer, runDeliveryLoop } from '../../notify/feed-finished.js';
import type { SchemaRegistry } from '../../validate/index.js';
import { runWatch, type Companion } from './watch.js';

export async function runServe(
  config: Config,
  schemas: SchemaRegistry,
  options: { concurrency: number },
): Promise<number> {
  const companion: Companion = async (runtime, watcher, folder, logger) => {
    const serverKey = await loadServerKey(config);
    const { deps } = runtime;
    const app = await buildServer(
      {
        config,
        deps,
        keys: new AccessKeyStore(deps.redis, config.prefix, serverKey),
        feeds: new FeedService(deps, folder, watcher, derivedKey(serverKey, 'feedproc next-tokens')),
        throttle: new Throttle(deps.redis, config.prefix, config.throttleScale),
        destinations: new DestinationStore(deps.redis, config.prefix, serverKey),
        sessionSecret: derivedKey(serverKey, 'feedproc sessions'),
      },
      logger,
    );
    await app.listen({ host: config.httpHost, port: config.httpPort });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.httpPort;
    const host = config.httpHost.includes(':') ? `[${config.httpHost}]` : config.httpHost;
    const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/`;
    logger.info({ event: 'listening', url, port }, `feedproc serving ${url} (web pages at ${url}web/)`);
    // FEED_PROCESSING_FINISHED notifications go out from here too, so that `serve` alone delivers them.
    const deliverer = createFeedDeliverer(
      deps.redis,
      config,
      new DestinationStore(deps.redis, config.prefix, serverKey),
      { retryMs: config.notifyRetryMs, leaseMs: config.notifyLeaseMs },
      (e) =>
        (e.result === 'delivered' ? logger.info.bind(logger) : logger.warn.bind(logger))(
          e,
          `feed ${e.feedId}: notification ${e.result}: ${e.detail}`,
        ),
    );
    let stopping = false;
    const delivering = runDeliveryLoop(
      deliverer,
      () => stopping,
      (err) =>
        logger.error(
          { event: 'feed-finished-error', error: err instanceof Error ? err.message : String(err) },
          'notification pass failed; trying again',
        ),
    );
    return async () => {
      stopping = true;
      deliverer.stop();
      await app.close();
      await delivering;
    };
  };
  return runWatch(config, schemas, { workers: true, concurrency: options.concurrency, companion });
}

/** A key for one purpose, derived from the server key so that none of them is the server key itself. */
function derivedKey(serverKey: Buffer, purpose: string): Buffer {
  return createHash('sha256').update(`${purpose}\0`).update(serverKey).digest();
}
