/**
 * FEED_PROCESSING_FINISHED: for every feed that ended (DONE, CANCELLED, FATAL) and every destination of its
 * merchant, POSTs a notification in the shape of Amazon's FeedProcessingFinishedNotification, signed with
 * HMAC-SHA256 of the body under the destination's secret (`x-feedproc-signature: sha256=<hex>`), until the
 * receiver answers 2xx. The outbox is the merchant's `feed-ends` stream read through a consumer group: an entry
 * is acknowledged only when every destination has answered 2xx, so a restart (or a receiver that is down for
 * hours) loses nothing; entries left by a deliverer that died are claimed once idle longer than the lease. The
 * NotificationId is derived from (feed, destination), so every repeat of one notification carries the same id.
 */
import { createHash, createHmac } from 'node:crypto';
import { hostname } from 'node:os';
import { everyMerchantFeedEnds, merchantOfKey } from '../apply/keys.js';
import type { Config } from '../core/config.js';
import { scanKeys, type RedisClient } from '../core/redis-client.js';
import { resultDocumentId, spApiName, spApiStatus } from '../core/sp-api-feed-types.js';
import { loadFeed, loadReportHead, type FeedRecord } from '../queue/feed-store.js';
import { feedEndDeliveredKey, feedEndLeaseKey } from '../queue/names.js';
import type { Destination, DestinationStore } from './destinations.js';

const GROUP = 'feed-finished';
const BATCH = 50;
const SEND_TIMEOUT_MS = 10_000;
/** An entry whose feed never ends (its record lost) is given up after a day. */
const GIVE_UP_MS = 24 * 3600 * 1000;

export const SIGNATURE_HEADER = 'x-feedproc-signature';

export type DeliveryEvent = {
  event: 'feed-finished';
  feedId: string;
  merchantId: string;
  destinationId: string;
  notificationId: string;
  result: 'delivered' | 'retry';
  detail: string;
};

export interface FeedDeliverer {
  runOnce(): Promise<number>;
  stop(): void;
}

/** Stable per (feed, destination): a UUID-shaped digest. */
export function notificationIdOf(feedId: string, destinationId: string): string {
  const hex = createHash('sha256').update(`FEED_PROCESSING_FINISHED\0${feedId}\0${destinationId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function notificationBody(
  record: FeedRecord,
  status: string,
  destination: Destination,
  notificationId: string,
): string {
  const ended = record.completedProcessingDate ?? new Date().toISOString();
  return JSON.stringify({
    notificationVersion: '2020-09-04',
    notificationType: 'FEED_PROCESSING_FINISHED',
    payloadVersion: '2020-09-04',
    eventTime: ended,
    payload: {
      feedProcessingFinishedNotification: {
        sellerId: record.merchantId,
        accountId: `amzn1.merchant.o.${record.merchantId}`,
        feedId: record.feedSubmissionId,
        feedType: spApiName(record.feedType ?? ''),
        processingStatus: status,
        ...(status === 'CANCELLED' ? {} : { resultFeedDocumentId: resultDocumentId(record.feedSubmissionId) }),
      },
    },
    notificationMetadata: {
      applicationId: 'feedproc',
      subscriptionId: destination.destinationId,
      publishTime: new Date().toISOString(),
      notificationId,
    },
  });
}

export function createFeedDeliverer(
  redis: RedisClient,
  config: Config,
  destinations: DestinationStore,
  options: { retryMs: number; leaseMs: number },
  log: (e: DeliveryEvent) => void,
): FeedDeliverer {
  const consumer = `${hostname()}-${process.pid}`;
  const retryAt = new Map<string, { at: number; pause: number }>();
  const groups = new Set<string>();
  let stopped = false;

  const ensureGroup = async (key: string): Promise<void> => {
    if (groups.has(key)) return;
    await redis.xgroup('CREATE', key, GROUP, '0').catch((err: Error) => {
      if (!err.message.includes('BUSYGROUP')) throw err;
    });
    groups.add(key);
  };

  const send = async (url: string, body: string, secret: string, id: string): Promise<string | null> => {
    const signature = createHmac('sha256', secret).update(body).digest('hex');
    try {
      const answer = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: `sha256=${signature}`,
          'x-feedproc-notification-id': id,
        },
        body,
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
        redirect: 'manual',
      });
      await answer.arrayBuffer().catch(() => undefined);
      return answer.status >= 200 && answer.status < 300 ? null : `answered ${answer.status}`;
    } catch (err) {
      return err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    }
  };

  /** True when the entry is finished (every destination answered 2xx, or nothing to send). */
  const deliver = async (merchantId: string, entryId: string, feedId: string): Promise<boolean> => {
    const record = await loadFeed(redis, config.prefix, feedId);
    if (!record || (record.status !== '_DONE_' && record.status !== '_CANCELLED_'))
      return Date.now() - Number(entryId.split('-')[0]) > GIVE_UP_MS; // the end is announced before it is written
    const head = record.status === '_DONE_' ? await loadReportHead(redis, config.prefix, feedId) : null;
    const status = spApiStatus(record.status, head?.statusCode === 'Rejected');
    let all = true;
    for (const destination of await destinations.withSecrets(merchantId)) {
      const delivered = feedEndDeliveredKey(config.prefix, merchantId, feedId, destination.destinationId);
      if (await redis.exists(delivered)) continue;
      const notificationId = notificationIdOf(feedId, destination.destinationId);
      const body = notificationBody(record, status, destination, notificationId);
      const failure = await send(destination.url, body, destination.secret, notificationId);
      const base = {
        event: 'feed-finished' as const,
        feedId,
        merchantId,
        destinationId: destination.destinationId,
        notificationId,
      };
      if (failure === null) {
        await redis.set(delivered, new Date().toISOString(), 'EX', 30 * 24 * 3600);
        log({ ...base, result: 'delivered', detail: destination.url });
      } else {
        all = false;
        log({ ...base, result: 'retry', detail: failure });
      }
    }
    return all;
  };

  const handle = async (key: string, merchantId: string, entryId: string, fields: string[]): Promise<boolean> => {
    const due = retryAt.get(entryId);
    if (due && Date.now() < due.at) return false;
    const lease = feedEndLeaseKey(config.prefix, merchantId, entryId);
    if ((await redis.set(lease, consumer, 'PX', options.leaseMs, 'NX')) !== 'OK') return false;
    try {
      const feedId = fields[fields.indexOf('feedId') + 1] ?? '';
      if (await deliver(merchantId, entryId, feedId)) {
        await redis.xack(key, GROUP, entryId);
        await redis.xdel(key, entryId);
        retryAt.delete(entryId);
      } else {
        const pause = Math.min((due?.pause ?? options.retryMs / 2) * 2, options.retryMs * 64);
        retryAt.set(entryId, { at: Date.now() + pause, pause });
      }
    } finally {
      if ((await redis.get(lease)) === consumer) await redis.del(lease);
    }
    return true;
  };

  type Entries = Array<[string, string[]]>;
  const read = async (key: string, from: string): Promise<Entries> => {
    const reply = (await redis.xreadgroup('GROUP', GROUP, consumer, 'COUNT', BATCH, 'STREAMS', key, from)) as Array<
      [string, Entries]
    > | null;
    return reply?.[0]?.[1] ?? [];
  };

  const runStream = async (key: string, merchantId: string): Promise<number> => {
    await ensureGroup(key);
    const own = await read(key, '0');
    const [, claimed] = (await redis.xautoclaim(key, GROUP, consumer, options.leaseMs, '0-0', 'COUNT', BATCH)) as [
      string,
      Entries,
    ];
    const fresh = await read(key, '>');
    let attempted = 0;
    for (const [id, fields] of [...own, ...(Array.isArray(claimed) ? claimed : []), ...fresh]) {
      if (stopped) break;
      if (Array.isArray(fields) && (await handle(key, merchantId, id, fields))) attempted += 1;
    }
    return attempted;
  };

  return {
    async runOnce() {
      let attempted = 0;
      const keys = await scanKeys(redis, everyMerchantFeedEnds(config.prefix), 'stream');
      for (const key of keys.sort()) attempted += await runStream(key, merchantOfKey(key) ?? '');
      return attempted;
    },
    stop() {
      stopped = true;
    },
  };
}

/** Runs passes until stopped; a failed pass (Redis away a moment) is reported and tried again. */
export async function runDeliveryLoop(
  deliverer: FeedDeliverer,
  isStopping: () => boolean,
  onError: (err: unknown) => void,
  idleMs = 200,
): Promise<void> {
  while (!isStopping()) {
    const attempted = await deliverer.runOnce().catch((err: unknown) => {
      onError(err);
      return 0;
    });
    if (attempted === 0) await new Promise((done) => setTimeout(done, idleMs));
  }
}
