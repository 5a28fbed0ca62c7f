/**
 * The buyer's cancellation e-mail (issue 5, item 3): `feedproc notify` as a real process, a real SMTP sink
 * (smtp-server) and the mails parsed back (mailparser). Cancellations come from every path: an acknowledgement
 * feed, an adjustment feed, and the seller's `cancel-order`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { runCli } from '../helpers/cli.js';
import { removePrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { makeTempDir } from '../helpers/tmp.js';
import { startLongRunning, type WatchProcess } from '../helpers/watcher.js';
import { until } from '../helpers/wait.js';

const MERCHANT = 'A1KW3PLX9Q7ZT2';
const tmp = makeTempDir('feedproc-notify-');
const running: WatchProcess[] = [];
const prefixes: string[] = [];
const sinks: SmtpSink[] = [];

interface World {
  prefix: string;
  env: NodeJS.ProcessEnv;
  cli(args: string[]): ReturnType<typeof runCli>;
  events(): Promise<Array<[string, string[]]>>;
  /**
   * Every cancellation event was delivered to the notifiers' group and acknowledged: from then on no notifier can
   * send any of them again (the event to wait for instead of a pause that proves nothing came twice).
   */
  settled(): Promise<boolean>;
}

async function world(extra: NodeJS.ProcessEnv = {}): Promise<World> {
  const prefix = uniquePrefix();
  prefixes.push(prefix);
  const env = {
    ...process.env,
    FEEDPROC_REDIS_URL: testRedisUrl(),
    FEEDPROC_PREFIX: prefix,
    FEEDPROC_MERCHANT: MERCHANT,
    FEEDPROC_FEEDS_DIR: join(tmp.dir, prefix),
    FEEDPROC_NOTIFY_RETRY_MS: '100',
    FEEDPROC_NOTIFY_LEASE_MS: '1500',
    ...extra,
  };
  const cli = (args: string[]) => runCli(args, { env });
  expect((await cli(['orders', 'import', 'samples/order-report.txt'])).code).toBe(0);
  return {
    prefix,
    env,
    cli,
    async events() {
      const redis = new Redis(testRedisUrl());
      const entries = await redis.xrange(`${prefix}:{m:${MERCHANT}}:events`, '-', '+');
      await redis.quit();
      return entries;
    },
    async settled() {
      const redis = new Redis(testRedisUrl());
      const groups = (await redis.xinfo('GROUPS', `${prefix}:{m:${MERCHANT}}:events`).catch(() => [])) as unknown[][];
      await redis.quit();
      const group = groups.map((fields) => Object.fromEntries(pairs(fields))).find((g) => g['name'] === 'notifier');
      return group !== undefined && group['pending'] === 0 && group['lag'] === 0;
    },
  };
}

function pairs(fields: unknown[]): Array<[string, unknown]> {
  return fields.flatMap((value, i) => (i % 2 === 0 ? [[String(value), fields[i + 1]] as [string, unknown]] : []));
}

function notifier(w: World, extra: NodeJS.ProcessEnv = {}): WatchProcess {
  const p = startLongRunning(['notify'], { ...w.env, ...extra });
  running.push(p);
  return p;
}

async function sink(answer?: (attempt: number, raw: string) => number | null): Promise<SmtpSink> {
  const s = await startSmtpSink(answer);
  sinks.push(s);
  return s;
}

/** Cancellations from all three paths: 4 events (acknowledgement: 2 items; adjustment: 1; cancel-order: 1). */
async function cancelFromEveryPath(w: World): Promise<void> {
  const ack = tmp.file(
    `${w.prefix}-ack.xml`,
    '<?xml version="1.0" encoding="UTF-8"?>\n<AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>A1KW3PLX9Q7ZT2</MerchantIdentifier></Header>' +
      '<MessageType>OrderAcknowledgement</MessageType><Message><MessageID>1</MessageID><OrderAcknowledgement><AmazonOrderID>405-9046611-4417320</AmazonOrderID>' +
      '<StatusCode>Failure</StatusCode></OrderAcknowledgement></Message></AmazonEnvelope>\n',
  );
  expect((await w.cli(['process', ack])).code).toBe(0);
  const adjustment = tmp.file(
    `${w.prefix}-adj.txt`,
    'order-id\torder-item-id\tadjustment-reason-code\tcurrency\titem-price-adj\titem-tax-adj\tquantity-cancelled\n406-1150847-9034417\t50317501174326\tNoInventory\tEUR\t12.00\t2.28\t1\n',
  );
  const adjusted = await w.cli(['process', adjustment]);
  expect(adjusted.code).toBe(0);
  expect(
    (
      await w.cli([
        'cancel-order',
        '405-2268390-5512084',
        '--reason',
        'ShippingAddressUndeliverable',
        '--note',
        'adres nieistniejący',
      ])
    ).code,
  ).toBe(0);
  expect(await w.events()).toHaveLength(4);
}

afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  }
  for (const s of sinks.splice(0)) await s.close();
});
afterAll(async () => {
  const redis = new Redis(testRedisUrl());
  for (const prefix of prefixes) await removePrefix(redis, prefix);
  await redis.quit();
  tmp.cleanup();
});

describe('feedproc notify', () => {
  it('mails the buyer once per cancellation request from every path, in Polish for Amazon.pl and English otherwise', async () => {
    const w = await world();
    const s = await sink();
    await cancelFromEveryPath(w);
    const p = notifier(w, { FEEDPROC_SMTP_URL: s.url });
    // Four events from three requests: the acknowledgement's two items share one e-mail.
    await until(() => s.accepted.length === 3);
    await until(() => p.events().filter((e) => e['result'] === 'sent').length === 3);
    await until(() => w.settled(), 'every event acknowledged');
    expect(s.accepted).toHaveLength(3);
    const events = await w.events();
    const byOrder = (id: string) => s.accepted.filter((m) => m.subject?.includes(id));
    const polish = byOrder('405-2268390-5512084')[0];
    expect(polish?.to).toMatchObject({ text: 'r2t7y1u6i9o3p8e@marketplace.amazon.pl' });
    expect(polish?.subject).toBe('Anulowanie w zamówieniu 405-2268390-5512084');
    expect(polish?.text).toContain('Dzień dobry, Tomasz Zieliński,');
    expect(polish?.text).toContain('FARTUCH-LEN-SZARY (pozycja 50317523317759), liczba sztuk: 1.');
    expect(polish?.text).toContain('Powód: nie możemy dostarczyć przesyłki na podany adres.');
    expect(polish?.text).toMatch(/Zwrot: \d+\.\d\d PLN\./);
    const english = byOrder('406-1150847-9034417')[0];
    expect(english?.subject).toBe('Cancellation in your order 406-1150847-9034417');
    expect(english?.text).toContain('Hello Jürgen Weiß,');
    expect(english?.text).toContain('Reason: the seller no longer has this item in stock.');
    expect(english?.text).toContain('Refund: 14.28 EUR');
    const both = byOrder('405-9046611-4417320'); // the acknowledgement cancelled two items: one e-mail names both
    expect(both).toHaveLength(1);
    expect((both[0]?.text ?? '').match(/^- .*\((item|pozycja) \d+\)/gm)).toHaveLength(2);
    const shown = await w.cli(['order', '405-9046611-4417320']);
    expect(shown.stdout.match(/buyer e-mail: sent /g)).toHaveLength(2);
    for (const m of s.accepted)
      expect(
        events.some(
          ([id]) => m.messageId === `<${id}.${m.subject?.match(/\d{3}-\d{7}-\d{7}/)?.[0] ?? ''}.${MERCHANT}@feedproc>`,
        ),
      ).toBe(true);
  });

  it('sends each e-mail once across a restart, with two notifiers at once, and after a 451 then acceptance', async () => {
    const w = await world();
    const s = await sink((attempt) => (attempt <= 3 ? 451 : null)); // the first three attempts: "try again later"
    await cancelFromEveryPath(w);
    const first = notifier(w, { FEEDPROC_SMTP_URL: s.url });
    const second = notifier(w, { FEEDPROC_SMTP_URL: s.url });
    await until(() => s.accepted.length >= 2);
    first.child.kill('SIGTERM');
    await first.exited;
    const third = notifier(w, { FEEDPROC_SMTP_URL: s.url });
    await until(() => s.accepted.length >= 3);
    await until(() => w.settled(), 'every event acknowledged'); // then nothing can come twice
    expect(s.accepted).toHaveLength(3);
    expect(new Set(s.accepted.map((m) => m.messageId)).size).toBe(3);
    expect(s.attempts).toBe(6);
    expect(
      [second, third].some((p) => p.events().some((e) => e['result'] === 'retry')) ||
        first.events().some((e) => e['result'] === 'retry'),
    ).toBe(true);
  });

  it('records a 550 as failed and never tries it again', async () => {
    const w = await world();
    const s = await sink((_, raw) => (raw.includes('405-2268390-5512084') ? 550 : null));
    await cancelFromEveryPath(w);
    const p = notifier(w, { FEEDPROC_SMTP_URL: s.url });
    await until(() => s.accepted.length === 2 && p.events().some((e) => e['result'] === 'failed'));
    await until(() => w.settled(), 'every event acknowledged'); // the 550 is never tried again

    expect(s.attempts).toBe(3);
    const failedId = String(p.events().find((e) => e['result'] === 'failed')?.['id']);
    const redis = new Redis(testRedisUrl());
    expect(await redis.get(`${w.prefix}:{m:${MERCHANT}}:mail:${failedId}`)).toMatch(/^failed .*mailbox unavailable/);
    await redis.quit();
    const shown = await w.cli(['order', '405-2268390-5512084']);
    expect(shown.stdout).toMatch(
      /cancelled 1 of 50317523317759 \(ShippingAddressUndeliverable, seller\); buyer e-mail: failed .*mailbox unavailable/,
    );
    expect((await w.cli(['order', '406-1150847-9034417'])).stdout).toMatch(
      /cancelled 1 of 50317501174326 \(NoInventory, adjustment\); buyer e-mail: sent /,
    );
  });

  it('behaves as documented in the window between acceptance and the record: sent again, with the same Message-ID', async () => {
    const w = await world();
    const s = await sink();
    expect((await w.cli(['cancel-order', '405-2268390-5512084', '--reason', 'NoInventory'])).code).toBe(0);
    const crashing = notifier(w, { FEEDPROC_SMTP_URL: s.url, FEEDPROC_NOTIFY_FAULT: 'exit-after-accept' });
    expect(await crashing.exited).toEqual({ code: 137, signal: null });
    expect(s.accepted).toHaveLength(1);
    notifier(w, { FEEDPROC_SMTP_URL: s.url });
    await until(() => s.accepted.length === 2); // after the lease (1.5 s here) has expired
    expect(s.accepted[1]?.messageId).toBe(s.accepted[0]?.messageId);
    await until(() => w.settled(), 'every event acknowledged');
    expect(s.accepted).toHaveLength(2);
  });

  it('writes .eml files to feeds/outbox/ when no SMTP server is configured', async () => {
    const w = await world();
    expect((await w.cli(['cancel-order', '405-2268390-5512084', '--reason', 'NoInventory'])).code).toBe(0);
    notifier(w);
    const outbox = join(String(w.env['FEEDPROC_FEEDS_DIR']), 'outbox');
    await until(() => {
      try {
        return readdirSync(outbox).filter((n) => n.endsWith('.eml')).length === 1;
      } catch {
        return false;
      }
    });
    const [name] = readdirSync(outbox).filter((n) => n.endsWith('.eml'));
    const eml = readFileSync(join(outbox, name as string), 'utf8');
    expect(eml).toMatch(/^Message-ID: <.*405-2268390-5512084\.A1KW3PLX9Q7ZT2@feedproc>$/m);
    expect(eml).toMatch(/^To: r2t7y1u6i9o3p8e@marketplace\.amazon\.pl$/m);
  });
});
