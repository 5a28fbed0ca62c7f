/**
 * `feedproc notify`: sends the buyers' cancellation e-mails (to FEEDPROC_SMTP_URL, or as .eml files in
 * <feeds-dir>/outbox/) until SIGTERM / SIGINT; logs one pino line per e-mail. `feedproc serve` runs the same
 * loop beside its workers (`startNotifying`), so the web page's "the buyer gets an e-mail" holds with `npm start`.
 */
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../../core/config.js';
import type { RedisClient } from '../../core/redis-client.js';
import { outboxDelivery, smtpDelivery } from '../../notify/delivery.js';
import { createNotifier } from '../../notify/notifier.js';
import type { SchemaRegistry } from '../../validate/index.js';
import { EXIT } from '../exit-codes.js';
import { createLogger } from '../log-lines.js';
import { openRuntime } from '../runtime.js';

const IDLE_PAUSE_MS = 200;

export async function runNotify(
  config: Config,
  schemas: SchemaRegistry,
  env: Readonly<Record<string, string | undefined>>,
): Promise<number> {
  const logger = createLogger();
  const runtime = await openRuntime(config, schemas, {
    workers: false,
    notice: (line) => logger.info({ event: 'redis' }, line),
  });
  // FEEDPROC_NOTIFY_FAULT is fault injection for the test of the documented window, nothing an operator sets.
  const notifying = startNotifying(
    runtime.deps.redis,
    config,
    logger,
    env['FEEDPROC_NOTIFY_FAULT'] === 'exit-after-accept',
  );
  const stop = (): void => void notifying.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await notifying.done;
  } finally {
    await runtime.close();
  }
  return EXIT.OK;
}

export interface Notifying {
  /** Ends the loop after the e-mail in hand; resolves when it has ended. */
  stop(): Promise<void>;
  done: Promise<void>;
}

/** The notifier's loop on `redis` until stopped: passes back to back while there is work, a short pause when idle. */
export function startNotifying(redis: RedisClient, config: Config, logger: Logger, exitAfterAccept = false): Notifying {
  const outbox = join(resolve(config.feedsDir), 'outbox');
  const delivery = config.smtpUrl ? smtpDelivery(config.smtpUrl, config.notifyLeaseMs) : outboxDelivery(outbox);
  const options = { retryMs: config.notifyRetryMs, leaseMs: config.notifyLeaseMs, exitAfterAccept };
  const notifier = createNotifier(redis, config, delivery, options, (e) =>
    (e.result === 'sent' ? logger.info.bind(logger) : logger.warn.bind(logger))(
      e,
      `${e.orderId}: buyer e-mail ${e.result}: ${e.detail}`,
    ),
  );
  let stopping = false;
  let wake: (() => void) | null = null;
  logger.info(
    { event: 'notifying', to: config.smtpUrl ? 'smtp' : outbox },
    `sending buyer e-mails ${config.smtpUrl ? 'over SMTP' : `to ${outbox}`}`,
  );
  const loop = async (): Promise<void> => {
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
  const done = loop();
  return {
    done,
    async stop() {
      stopping = true;
      notifier.stop();
      wake?.();
      await done;
    },
  };
}
