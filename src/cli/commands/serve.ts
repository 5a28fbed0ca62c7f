/**
 * `feedproc serve [--port P]`: the HTTP server (MWS-compatible endpoint, JSON API, web pages) beside the drop-folder
 * watcher, the workers and the notifier (buyer e-mails), all in one process; what `npm start` runs. It prints its
 * URL once listening.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../../core/config.js';
import { AccessKeyStore } from '../../http/access-keys.js';
import { FeedService } from '../../http/feed-service.js';
import { buildServer } from '../../http/server.js';
import { loadServerKey } from '../../http/server-key.js';
import { Throttle } from '../../http/throttle.js';
import { DestinationStore } from '../../notify/destinations.js';
import type { SchemaRegistry } from '../../validate/index.js';
import { startNotifying } from './notify.js';
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
    // The buyers' e-mails and the FEED_PROCESSING_FINISHED notifications go out from here too: the web page's
    // "Cancel order" promises an e-mail, and `npm start` is all a seller runs.
    const notifying = startNotifying(deps.redis, config, logger, serverKey);
    return async () => {
      await app.close();
      await notifying.stop();
    };
  };
  return runWatch(config, schemas, { workers: true, concurrency: options.concurrency, companion });
}

/** A key for one purpose, derived from the server key so that none of them is the server key itself. */
function derivedKey(serverKey: Buffer, purpose: string): Buffer {
  return createHash('sha256').update(`${purpose}\0`).update(serverKey).digest();
}
