/**
 * The notifier: reads every merchant's cancellation events (the ledger scripts' stream) through a Redis
 * consumer group, and sends each cancellation request's buyer e-mail once: the events one message appended
 * together (one per item) make one e-mail, carried by the first of them (the head).
 *
 * Per event: a recorded outcome (`mail:<id>` = sent / failed) means done; otherwise a short lease
 * (`mail-lease:<id>`, SET NX) makes one notifier the sender, the mail is sent, the outcome recorded, the entry
 * acknowledged. A temporary failure (4xx, connection refused) leaves the entry pending; it is tried again with
 * a growing pause. A permanent one (5xx) is recorded as failed and never retried. Entries left pending by a
 * notifier that died are claimed by another (XAUTOCLAIM) once idle longer than the lease.
 * The window: between the SMTP server's acceptance and the `sent` record, a crash leaves no record, so the
 * mail is sent again when the lease has expired — with the same Message-ID, which mail clients use to
 * recognise the duplicate. Nothing else can send an event twice.
 */
import { hostname } from 'node:os';
import { scanKeys, type RedisClient } from '../core/redis-client.js';
import { everyMerchantEvents, ledgerKeys, merchantOfKey } from '../apply/keys.js';
import { streamFields } from '../apply/stream-fields.js';
import type { Config } from '../core/config.js';
import { cancellationMail, type CancellationEvent } from './cancellation-mail.js';
import type { Delivery } from './delivery.js';

const GROUP = 'notifier';
const BATCH = 50;
/** At most this many items of one request share its e-mail (an order has far fewer). */
const REQUEST_EVENTS = 1000;

export interface NotifierOptions {
  /** First pause before a temporary failure is tried again; doubles up to 64×. */
  retryMs: number;
  /** How long the sender holds an event; entries idle longer are taken over from a dead notifier. */
  leaseMs: number;
  /**
   * Called right after the SMTP server accepted a mail, before its outcome is recorded: the command's fault
   * injection for the documented window (tests only) ends the process here.
   */
  afterAccept?: () => void;
}

export type NotifyEvent = {
  event: 'mail';
  id: string;
  merchantId: string;
  orderId: string;
  result: 'sent' | 'failed' | 'retry';
  detail: string;
};

export interface Notifier {
  /** One pass: new events of every merchant, due retries and abandoned entries. Returns how many were attempted. */
  runOnce(): Promise<number>;
  stop(): void;
}

export function createNotifier(
  redis: RedisClient,
  config: Config,
  delivery: Delivery,
  options: NotifierOptions,
  log: (e: NotifyEvent) => void,
): Notifier {
  const consumer = `${hostname()}-${process.pid}`;
  const retryAt = new Map<string, { at: number; pause: number }>();
  const groups = new Set<string>();
  let stopped = false;

  const streams = async (): Promise<Array<{ key: string; merchantId: string }>> => {
    // Every master of a Cluster: SCAN through the Cluster client would ask one node only.
    const keys = await scanKeys(redis, everyMerchantEvents(config.prefix), 'stream');
    return keys.sort().map((key) => ({ key, merchantId: merchantOfKey(key) ?? '' }));
  };

  const ensureGroup = async (key: string): Promise<void> => {
    if (groups.has(key)) return;
    await redis.xgroup('CREATE', key, GROUP, '0').catch((err: Error) => {
      if (!err.message.includes('BUSYGROUP')) throw err;
    });
    groups.add(key);
  };

  /**
   * The request an event belongs to: its neighbours with the same feed and message. One message's events are
   * appended by one Lua script, so they stand together in the stream. Null when an earlier event of the same
   * request exists: that one (the head) carries the e-mail, and this event is done when the head is.
   */
  const requestOf = async (
    key: string,
    head: CancellationEvent,
    merchantId: string,
  ): Promise<CancellationEvent[] | null> => {
    const sameRequest = (e: CancellationEvent): boolean =>
      head.feedId !== '' && e.feedId === head.feedId && e.messageId === head.messageId;
    const [before] = await redis.xrevrange(key, `(${head.id}`, '-', 'COUNT', 1);
    if (before && sameRequest(eventOf(before[0], merchantId, before[1]))) return null;
    const events = [head];
    for (const [id, fields] of await redis.xrange(key, `(${head.id}`, '+', 'COUNT', REQUEST_EVENTS)) {
      const next = eventOf(id, merchantId, fields);
      if (!sameRequest(next)) break;
      events.push(next);
    }
    return events;
  };

  /** True when a delivery was attempted (not when the event was skipped, done already or waiting for a retry). */
  const handle = async (
    stream: { key: string; merchantId: string },
    id: string,
    fields: string[],
  ): Promise<boolean> => {
    const keys = ledgerKeys(config.prefix, stream.merchantId);
    const record = keys.mailOutcome(id);
    const lease = keys.mailLease(id);
    if (await redis.exists(record)) {
      await redis.xack(stream.key, GROUP, id);
      return false;
    }
    const request = await requestOf(stream.key, eventOf(id, stream.merchantId, fields), stream.merchantId);
    if (!request) return false; // left pending until the head's e-mail records this event's outcome too
    const due = retryAt.get(id);
    if (due && Date.now() < due.at) return false;
    if ((await redis.set(lease, consumer, 'PX', options.leaseMs, 'NX')) !== 'OK') return false;
    if (await redis.exists(record)) {
      // Another notifier finished it between our first look and the lease.
      await redis.xack(stream.key, GROUP, id);
      await releaseLease(lease);
      return false;
    }
    const orderId = request[0]?.orderId ?? '';
    const [buyerEmail, buyerName, marketplace] = await redis.hmget(
      keys.order(orderId),
      'buyerEmail',
      'buyerName',
      'marketplace',
    );
    const result = buyerEmail
      ? await delivery.send(
          cancellationMail(request, { buyerEmail, buyerName: buyerName ?? null, marketplace: marketplace ?? null }),
          config.mailFrom,
        )
      : ({ kind: 'permanent', detail: 'the order has no buyer e-mail address' } as const);
    if (result.kind === 'sent') options.afterAccept?.();
    if (result.kind === 'temporary') {
      const pause = Math.min((due?.pause ?? options.retryMs / 2) * 2, options.retryMs * 64);
      retryAt.set(id, { at: Date.now() + pause, pause });
      await releaseLease(lease);
      log({ event: 'mail', id, merchantId: stream.merchantId, orderId, result: 'retry', detail: result.detail });
      return true;
    }
    // Every event of the request gets the outcome (what `feedproc order` shows), then all are acknowledged.
    const outcome = `${result.kind === 'sent' ? 'sent' : 'failed'} ${new Date().toISOString()} ${result.detail}`;
    for (const event of request) await redis.set(keys.mailOutcome(event.id), outcome);
    await redis.xack(stream.key, GROUP, ...request.map((event) => event.id));
    await releaseLease(lease);
    retryAt.delete(id);
    log({
      event: 'mail',
      id,
      merchantId: stream.merchantId,
      orderId,
      result: result.kind === 'sent' ? 'sent' : 'failed',
      detail: result.detail,
    });
    return true;
  };

  /** Deletes the lease only while it is still ours (it may have expired and been taken over). */
  const releaseLease = async (lease: string): Promise<void> => {
    if ((await redis.get(lease)) === consumer) await redis.del(lease);
  };

  const entriesOf = (reply: unknown): Array<[string, string[]]> =>
    Array.isArray(reply) ? (reply as Array<[string, string[]]>) : [];

  const runStream = async (stream: { key: string; merchantId: string }): Promise<number> => {
    await ensureGroup(stream.key);
    // Our own pending entries (retries), those another notifier abandoned, then new ones.
    const own = (await redis.xreadgroup('GROUP', GROUP, consumer, 'COUNT', BATCH, 'STREAMS', stream.key, '0')) as Array<
      [string, Array<[string, string[]]>]
    > | null;
    const [, claimed] = (await redis.xautoclaim(
      stream.key,
      GROUP,
      consumer,
      options.leaseMs,
      '0-0',
      'COUNT',
      BATCH,
    )) as [string, unknown];
    const fresh = (await redis.xreadgroup(
      'GROUP',
      GROUP,
      consumer,
      'COUNT',
      BATCH,
      'STREAMS',
      stream.key,
      '>',
    )) as Array<[string, Array<[string, string[]]>]> | null;
    const entries = [...(own?.[0]?.[1] ?? []), ...entriesOf(claimed), ...(fresh?.[0]?.[1] ?? [])].filter((e) =>
      Array.isArray(e[1]),
    );
    let attempted = 0;
    for (const [id, fields] of entries) {
      if (stopped) break;
      if (await handle(stream, id, fields)) attempted += 1;
    }
    return attempted;
  };

  return {
    async runOnce() {
      let handled = 0;
      for (const stream of await streams()) handled += await runStream(stream);
      return handled;
    },
    stop() {
      stopped = true;
    },
  };
}

function eventOf(id: string, merchantId: string, fields: readonly string[]): CancellationEvent {
  const values = streamFields(fields);
  const get = (name: string): string => values.get(name) ?? '';
  return {
    id,
    feedId: get('feedId'),
    messageId: get('messageId'),
    merchantId,
    orderId: get('orderId'),
    itemCode: get('itemCode'),
    sku: get('sku'),
    units: Number(get('units')),
    reason: get('reason'),
    refund: get('refund') || '0',
    currency: get('currency'),
  };
}
