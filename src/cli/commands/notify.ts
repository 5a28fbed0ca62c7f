/**
 * `feedproc notify`: sends the buyers' cancellation e-mails (to FEEDPROC_SMTP_URL, or as .eml files in
 * <feeds-dir>/outbox/) until SIGTERM / SIGINT; logs one pino line per e-mail.
 */
import { join, resolve } from 'node:path';
import type { Config } from '../../core/config.js';
import { outboxDelivery, smtpDelivery } from '../../notify/delivery.js';
import { createNotifier } from '../../notify/notifier.js';
import { DestinationStore } from '../../notify/destinations.js';
import { createFeedDeliverer, runDeliveryLoop } from '../../notify/feed-finished.js';
import { loadServerKey } from '../../http/server-key.js';
import type { SchemaRegistry } from '../../validate/index.js';
import { EXIT } from '../exit-codes.js';
import { createLogger } from '../log-lines.js';
import { openRuntime } from '../runtime.js';

const IDLE_PAUSE_MS = 200;

export async function runNotify(config: Config, schemas: SchemaRegistry): Promise<number> {
  const logger = createLogger();
  const runtime = await openRuntime(config, schemas, {
    workers: false,
    notice: (line) => logger.info({ event: 'redis' }, line),
  });
  const outbox = join(resolve(config.feedsDir), 'outbox');
  const delivery = config.smtpUrl ? smtpDelivery(config.smtpUrl, config.notifyLeaseMs) : outboxDelivery(outbox);
  // notifyFault (FEEDPROC_NOTIFY_FAULT) is fault injection for the test of the documented window: exit as if killed.
  const options = {
    retryMs: config.notifyRetryMs,
    leaseMs: config.notifyLeaseMs,
    afterAccept: config.notifyFault === 'exit-after-accept' ? () => process.exit(137) : undefined,
  };
  const notifier = createNotifier(runtime.deps.redis, config, delivery, options, (e) =>
    (e.result === 'sent' ? logger.info.bind(logger) : logger.warn.bind(logger))(
      e,
      `${e.orderId}: buyer e-mail ${e.result}: ${e.detail}`,
    ),
  );
  let stopping = false;
  const stop = (): void => {
    stopping = true;
    notifier.stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  logger.info(
    { event: 'notifying', to: config.smtpUrl ? 'smtp' : outbox },
    `sending buyer e-mails ${config.smtpUrl ? 'over SMTP' : `to ${outbox}`}`,
  );
  // The FEED_PROCESSING_FINISHED notifications run beside the e-mails, in the same process.
  const deliverer = createFeedDeliverer(
    runtime.deps.redis,
    config,
    new DestinationStore(runtime.deps.redis, config.prefix, await loadServerKey(config)),
    options,
    (e) =>
      (e.result === 'delivered' ? logger.info.bind(logger) : logger.warn.bind(logger))(
        e,
        `feed ${e.feedId}: notification ${e.result}: ${e.detail}`,
      ),
  );
  process.once('SIGINT', () => deliverer.stop());
  process.once('SIGTERM', () => deliverer.stop());
  const delivering = runDeliveryLoop(
    deliverer,
    () => stopping,
    (err) =>
      logger.error(
        { event: 'feed-finished-error', error: err instanceof Error ? err.message : String(err) },
        'notification pass failed; trying again',
      ),
  );
  try {
    while (!stopping) {
      const attempted = await notifier.runOnce().catch((err: unknown) => {
        // Redis or the outbox disk away for a moment: say so and go on; nothing is acknowledged that was not done.
        logger.error(
          { event: 'notify-error', error: err instanceof Error ? err.message : String(err) },
          'notifier pass failed; trying again',
        );
        return 0;
      });
      if (attempted === 0) await new Promise((done) => setTimeout(done, IDLE_PAUSE_MS));
    }
    await delivering;
  } finally {
    delivery.close();
    await runtime.close();
  }
  return EXIT.OK;
}
