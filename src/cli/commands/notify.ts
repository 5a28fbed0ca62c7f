/**
 * `feedproc notify`: sends the buyers' cancellation e-mails (to FEEDPROC_SMTP_URL, or as .eml files in
 * <feeds-dir>/outbox/) and the sellers' FEED_PROCESSING_FINISHED notifications until SIGTERM / SIGINT; logs one
 * pino line per e-mail or notification. `feedproc serve` runs the same two loops beside its workers
 * (`startNotifying`, started once per process), so the web page's "the buyer gets an e-mail" holds with
 * `npm start`.
 */
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../../core/config.js';
import type { RedisClient } from '../../core/redis-client.js';
import { loadServerKey } from '../../http/server-key.js';
import { outboxDelivery, smtpDelivery } from '../../notify/delivery.js';
import { DestinationStore } from '../../notify/destinations.js';
import { createFeedDeliverer, runDeliveryLoop } from '../../notify/feed-finished.js';
import { createNotifier } from '../../notify/notifier.js';
import type { SchemaRegistry } from '../../validate/index.js';
import { EXIT } from '../exit-codes.js';
import { createLogger } from '../log-lines.js';
import { openRuntime } from '../runtime.js';
import { exitSoon, onStopSignal, stopBudget, type StopBudget } from '../stop-signal.js';

const IDLE_PAUSE_MS = 200;

/**
 * Runs until SIGTERM / SIGINT, then stops like the other long-running commands: the e-mail or notification in
 * hand gets what is left of FEEDPROC_STOP_TIMEOUT_MS; one still unfinished then (Redis away, an SMTP server that
 * does not answer) is abandoned, exit 5: its lease lapses and the next notifier sends it.
 */
export async function runNotify(config: Config, schemas: SchemaRegistry): Promise<number> {
  const logger = createLogger();
  const signal = onStopSignal();
  const runtime = await openRuntime(config, schemas, {
    workers: false,
    notice: (line) => logger.info({ event: 'redis' }, line),
  });
  let clean: boolean;
  let budget: StopBudget | null = null;
  try {
    const notifying = startNotifying(runtime.deps.redis, config, logger, await loadServerKey(config));
    await Promise.race([signal.requested, notifying.done]);
    budget = stopBudget(config.stopTimeoutMs);
    logger.info({ event: 'stopping', boundMs: config.stopTimeoutMs }, 'stopping: finishing the e-mail in hand');
    clean = await budget.step(() => notifying.stop());
  } finally {
    await runtime.close(budget ?? stopBudget(config.stopTimeoutMs));
  }
  logger.info({ event: 'stopped', clean }, clean ? 'stopped' : 'stopped; the e-mail in hand is left to its lease');
  return exitSoon(clean ? EXIT.OK : EXIT.ABANDONED);
}

export interface Notifying {
  /** Ends both loops after the e-mail or notification in hand; resolves when they have ended. */
  stop(): Promise<void>;
  done: Promise<void>;
}

/**
 * The buyers' e-mails and the FEED_PROCESSING_FINISHED notifications on `redis` until stopped: passes back to back
 * while there is work, a short pause when idle. The one place both are started, for `notify` and for `serve`.
 */
export function startNotifying(redis: RedisClient, config: Config, logger: Logger, serverKey: Buffer): Notifying {
  const outbox = join(resolve(config.feedsDir), 'outbox');
  const delivery = config.smtpUrl ? smtpDelivery(config.smtpUrl, config.notifyLeaseMs) : outboxDelivery(outbox);
  // notifyFault (FEEDPROC_NOTIFY_FAULT) is fault injection for the test of the documented window: exit as if killed.
  const options = {
    retryMs: config.notifyRetryMs,
    leaseMs: config.notifyLeaseMs,
    afterAccept: config.notifyFault === 'exit-after-accept' ? () => process.exit(137) : undefined,
  };
  const notifier = createNotifier(redis, config, delivery, options, (e) =>
    (e.result === 'sent' ? logger.info.bind(logger) : logger.warn.bind(logger))(
      e,
      `${e.orderId}: buyer e-mail ${e.result}: ${e.detail}`,
    ),
  );
  let stopping = false;
  let wake: (() => void) | undefined;
  logger.info(
    { event: 'notifying', to: config.smtpUrl ? 'smtp' : outbox },
    `sending buyer e-mails ${config.smtpUrl ? 'over SMTP' : `to ${outbox}`}`,
  );
  // The FEED_PROCESSING_FINISHED notifications run beside the e-mails, in the same process.
  const deliverer = createFeedDeliverer(
    redis,
    config,
    new DestinationStore(redis, config.prefix, serverKey),
    { retryMs: config.notifyRetryMs, leaseMs: config.notifyLeaseMs },
    (e) =>
      (e.result === 'delivered' ? logger.info.bind(logger) : logger.warn.bind(logger))(
        e,
        `feed ${e.feedId}: notification ${e.result}: ${e.detail}`,
      ),
  );
  const delivering = runDeliveryLoop(
    deliverer,
    () => stopping,
    (err) =>
      logger.error(
        { event: 'feed-finished-error', error: err instanceof Error ? err.message : String(err) },
        'notification pass failed; trying again',
      ),
  );
  const mailing = async (): Promise<void> => {
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
        if (attempted === 0 && !stopping)
          await new Promise<void>((done) => {
            wake = done;
            setTimeout(done, IDLE_PAUSE_MS);
          });
      }
    } finally {
      delivery.close();
    }
  };
  const done = Promise.all([mailing(), delivering]).then(() => undefined);
  return {
    done,
    async stop() {
      stopping = true;
      notifier.stop();
      deliverer.stop();
      wake?.();
      await done;
    },
  };
}
