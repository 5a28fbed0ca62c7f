/**
 * The README's drop-folder walkthrough, run with its own commands: `feedproc serve` as `npm start` runs it (after
 * the build `npm test` has already done), on a machine where no Redis answers (the private redis-server), then
 * the walkthrough's shell lines with `feeds/` pointed at a temp folder.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, REPO_ROOT } from '../helpers/cli.js';
import { freePort } from '../helpers/redis-server.js';
import { makeTempDir } from '../helpers/tmp.js';
import { until } from '../helpers/wait.js';
import { csrfOf, WebClient } from '../helpers/web-client.js';
import { startLongRunning, type WatchProcess } from '../helpers/watcher.js';

const MERCHANT = 'A1KW3PLX9Q7ZT2';
/**
 * A 2-item order for the web cancel, so the test can see one e-mail per request rather than per item. The
 * sample's three 2-item orders are all touched by the walkthrough's feeds (one shipped, one partly shipped, one
 * with an item cancelled by the adjustment feed, which mails the buyer too), so this is a copy of the last one
 * under its own order id and item codes, imported with `orders import`.
 */
const CANCELLED = '405-5550000-0000002';
const COPIED = { order: '405-8836204-1127759', items: ['50317567753311', '50317567753329'] };

/** The sample order report's header and the copied order's lines, renamed. */
function twoItemOrderReport(): string {
  const [header, ...rows] = readFileSync(join(REPO_ROOT, 'samples', 'order-report.txt'), 'utf8').split('\n');
  const copied = rows
    .filter((row) => row.startsWith(`${COPIED.order}\t`))
    .map((row) => {
      const [, item, ...rest] = row.split('\t');
      return [CANCELLED, `5030000000000${COPIED.items.indexOf(item ?? '')}`, ...rest].join('\t');
    });
  return [header, ...copied, ''].join('\n');
}

/** The shell lines of the README walkthrough after `npm ci && npm start`, comments removed. */
function walkthroughLines(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const block = readme.split('### Walkthrough: the drop folder')[1]?.split('```sh\n')[1]?.split('```')[0] ?? '';
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('npm ci'));
}

describe('README walkthrough', () => {
  const tmp = makeTempDir('feedproc-walkthrough-');
  let watcher: WatchProcess | undefined;
  afterAll(async () => {
    if (watcher && watcher.child.exitCode === null) {
      watcher.child.kill('SIGKILL');
      await watcher.exited;
    }
    tmp.cleanup();
  });

  it('imports the order report, processes the sample feeds and shows the order, with a private redis-server', async () => {
    const {
      FEEDPROC_REDIS_URL: _configured,
      FEEDPROC_PREFIX: _prefix,
      FEEDPROC_MERCHANT: _merchant,
      ...inherited
    } = process.env;
    const env = {
      ...inherited,
      FEEDPROC_FEEDS_DIR: tmp.dir,
      FEEDPROC_LOCAL_REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      FEEDPROC_HTTP_PORT: '0',
    };
    watcher = startLongRunning(['serve'], env);
    const listening = await watcher.waitFor((e) => e['event'] === 'listening');
    expect(watcher.events().find((e) => e['event'] === 'redis')?.['msg']).toMatch(/started a private redis-server/);

    const lines = walkthroughLines();
    expect(lines[0]).toBe('mkdir -p feeds/incoming/A1KW3PLX9Q7ZT2');
    const shell = (line: string): string =>
      execFileSync(
        'bash',
        ['-c', line.replace(/\bfeeds\//g, `${tmp.dir}/`).replace(/^npx feedproc /, `node ${CLI} `)],
        { cwd: REPO_ROOT, env, encoding: 'utf8' },
      );
    for (const line of lines.filter((l) => l.startsWith('mkdir') || l.startsWith('cp'))) shell(line);

    await watcher.waitFor(
      () => (watcher as WatchProcess).events().filter((e) => e['event'] === 'feed').length === 2,
      60_000,
    );
    const imported = watcher.events().find((e) => e['event'] === 'orders-imported');
    expect(imported?.['msg']).toMatch(/^order-report\.txt: 12 orders \(15 items, UTF-8\): 12 created/);
    const reports = shell(lines.find((l) => l.startsWith('ls feeds/reports')) as string)
      .trim()
      .split('\n');
    expect(reports.sort()).toEqual([
      'flat-adjustment-valid.txt.50002.report.txt',
      'order-report.txt.A1KW3PLX9Q7ZT2.import.txt',
      'xml-order-fulfillment-valid.xml.50001.report.xml',
    ]);
    expect(readdirSync(join(tmp.dir, 'done', 'A1KW3PLX9Q7ZT2')).sort()).toEqual([
      'flat-adjustment-valid.txt',
      'order-report.txt',
      'xml-order-fulfillment-valid.xml',
    ]);

    // The README's text agrees with what the samples give: the counts, and every error code a report shows.
    const readme =
      readFileSync(join(REPO_ROOT, 'README.md'), 'utf8').split('### Walkthrough: the drop folder')[1] ?? '';
    expect(readme).toContain('12 orders, 15 items');
    expect(readFileSync(join(REPO_ROOT, 'samples', 'README.md'), 'utf8')).toContain('12 orders, 15 items');
    const fulfillment = readFileSync(
      join(tmp.dir, 'reports', 'xml-order-fulfillment-valid.xml.50001.report.xml'),
      'utf8',
    );
    const errorCodes = [
      ...fulfillment.matchAll(/<ResultCode>Error<\/ResultCode>\s*<ResultMessageCode>(\d+)<\/ResultMessageCode>/g),
    ].map((m) => m[1] as string);
    expect(errorCodes).toEqual(['18028']);
    for (const code of errorCodes) expect(readme.split('\n## ')[0]).toContain(`\`${code}\``);

    const order = JSON.parse(shell(lines.find((l) => l.startsWith('npx feedproc order')) as string)) as {
      status: string;
      merchantId: string;
    };
    expect(order).toMatchObject({ merchantId: 'A1KW3PLX9Q7ZT2', status: 'Shipped' });

    // The web page's "Cancel order" of a whole 2-item order: the one process npm start runs sends the buyer the
    // e-mail it promises, one for the request (not one per item).
    const outbox = join(tmp.dir, 'outbox');
    const report = join(tmp.dir, 'two-item-order.txt');
    writeFileSync(report, twoItemOrderReport());
    expect(shell(`npx feedproc orders import ${report} --merchant ${MERCHANT}`)).toMatch(/: 1 orders \(2 items/);
    const key = JSON.parse(shell(`npx feedproc keys create --merchant ${MERCHANT} --format json`)) as {
      accessKeyId: string;
      secretKey: string;
    };
    const web = new WebClient(`http://127.0.0.1:${String(listening['port'])}`);
    expect((await web.signIn(key.accessKeyId, key.secretKey)).status).toBe(303);
    const orderPage = await web.get(`/web/orders/${CANCELLED}`);
    expect(orderPage.status).toBe(200);
    const review = await web.post(`/web/orders/${CANCELLED}/cancel`, {
      _csrf: csrfOf(orderPage.text),
      step: 'review',
      reason: 'NoInventory',
      note: '',
    });
    expect(review.text).toContain('The buyer gets an e-mail');
    const confirm = await web.post(`/web/orders/${CANCELLED}/cancel`, {
      _csrf: csrfOf(review.text),
      step: 'confirm',
      requestId: (/name="requestId" value="([^"]+)"/.exec(review.text) as RegExpExecArray)[1] as string,
      reason: 'NoInventory',
      note: '',
    });
    expect(confirm.text).toContain('data-result="Cancelled"');
    const cancelled = JSON.parse(shell(`npx feedproc order ${CANCELLED} --merchant ${MERCHANT} --format json`)) as {
      items: Array<{ amazonOrderItemCode: string; quantityCancelled: number }>;
    };
    expect(cancelled.items.map((i) => i.quantityCancelled)).toEqual([6, 1]);
    // Done when the notifier has recorded an outcome for every cancellation of the order (none pending).
    await until(
      () => !shell(`npx feedproc order ${CANCELLED} --merchant ${MERCHANT}`).includes('buyer e-mail: pending'),
      'the buyer e-mail sent',
      60_000,
    );
    const mails = readdirSync(outbox)
      .filter((name) => name.endsWith('.eml'))
      .map((name) => readFileSync(join(outbox, name), 'utf8'))
      .filter((text) => text.includes(CANCELLED));
    expect(mails).toHaveLength(1);
    const mail = mails[0] as string;
    for (const item of cancelled.items) expect(mail).toContain(item.amazonOrderItemCode);

    // The cancel-rate panel with the samples: they keep their own purchase dates, so Amazon's 7-day window may
    // hold none of them; then the panel says so and links to the shortest window that holds the latest order,
    // where the cancellation above counts.
    const panel = await web.get('/web/cancel-rate');
    const ordersIn = (text: string): number => Number(/id="cancel-rate" data-orders="(\d+)"/.exec(text)?.[1]);
    let shown = panel.text;
    if (ordersIn(panel.text) === 0) {
      expect(panel.text).toMatch(/No order was bought in the last 7 days \(since \d{4}-\d\d-\d\d\)/);
      const wider = /id="cancel-rate-empty"[^>]*>.*?href="(\/web\/cancel-rate\?days=\d+)"/s.exec(panel.text)?.[1];
      expect(wider).toBeDefined();
      shown = (await web.get(wider as string)).text;
    }
    expect(ordersIn(shown)).toBeGreaterThan(0);
    expect(shown).not.toContain('cancel-rate-empty');
    expect(Number(/data-seller-cancelled="(\d+)"/.exec(shown)?.[1])).toBeGreaterThan(0);

    // Normal operation logs no warning (pino level 40 and above): the hand-over between workers is debug.
    expect(watcher.events().filter((e) => Number(e['level']) >= 40)).toEqual([]);
    watcher.child.kill('SIGINT');
    expect(await watcher.exited).toEqual({ code: 0, signal: null });
  }, 120_000);
});
