/**
 * What a newcomer sees in a real headless Chromium against a real `feedproc serve`: every page at 1280 px and at
 * 390 px (a phone), the sign-in page, the cancel review step and the operator's queue dashboard included, is no
 * wider than the window (wide tables scroll inside their card), the cancel-rate chart's
 * labels lie inside its SVG even when a day's rate is 100 %, a feed with errors is not shown as a plain
 * "Complete", statuses read as words with the MWS value as a title, and no page (the BullMQ dashboard included)
 * logs a Content-Security-Policy violation. Screenshots go to a temp folder, named in the test's output.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openChromium, type Chromium } from '../helpers/browser.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { makeTempDir } from '../helpers/tmp.js';
import { recentOrderReport, SAMPLE_MERCHANT } from '../helpers/web-client.js';

const SHOTS = mkdtempSync(join(tmpdir(), 'feedproc-screens-'));
const WIDTHS = [1280, 390] as const;

let serve: ServeProcess;
let tmp: ReturnType<typeof makeTempDir>;
let browser: Chromium | undefined;
let page: Page;
let feedId: string;
let merchantKey: Key;
let operatorKey: Key;
const consoleErrors: string[] = [];
/** The order left open, so its page has a cancel form to review. */
const OPEN_ORDER = '405-3812004-6650731';

interface Key {
  accessKeyId: string;
  secretKey: string;
}

beforeAll(async () => {
  tmp = makeTempDir('feedproc-web-layout-');
  serve = await startServe();
  const report = recentOrderReport(tmp.dir);
  await serve.importOrders(SAMPLE_MERCHANT, report);
  // Every order but one cancelled by the seller: the other days' rate is 100 %, the chart's tallest case.
  const ids = [
    ...new Set(
      readFileSync(report, 'utf8')
        .split('\n')
        .slice(1)
        .map((line) => line.split('\t')[0] ?? '')
        .filter((id) => id !== '' && id !== OPEN_ORDER),
    ),
  ];
  writeFileSync(join(tmp.dir, 'cancel.txt'), `${ids.join('\tNoInventory\n')}\tNoInventory\n`);
  const env = serve.env;
  const cancelled = await runCli(['cancel-orders', join(tmp.dir, 'cancel.txt'), '--merchant', SAMPLE_MERCHANT], {
    env,
  });
  expect(cancelled.code).toBe(0);
  const submitted = await runCli(
    ['submit', join(REPO_ROOT, 'samples', 'xml-order-adjustment-invalid.xml'), '--merchant', SAMPLE_MERCHANT],
    { env },
  );
  expect(submitted.code).toBe(0);
  feedId = submitted.stdout.trim();
  browser = await openChromium();
  page = browser.page;
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`${page.url()}: ${error.message}`));
  merchantKey = await serve.createKey(SAMPLE_MERCHANT);
  // The queue dashboard is an operator's (a merchant's session gets 403).
  const operator = await runCli(['keys', 'create', '--operator', '--format', 'json'], {
    env: { ...env, FEEDPROC_MERCHANT: '' },
  });
  expect(operator.code).toBe(0);
  operatorKey = JSON.parse(operator.stdout) as Key;
  await signIn(merchantKey, '**/web/feeds');
  await page.waitForSelector(`tr[data-feed="${feedId}"] [data-status="_DONE_"]`, { timeout: 90_000 });
  console.log(`screenshots in ${SHOTS}`);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  tmp?.cleanup();
});

/** A fresh sign-in with `key` (the last session's cookie dropped), landing where `landing` matches. */
async function signIn(key: Key, landing: string): Promise<void> {
  await page.context().clearCookies();
  await page.goto(`${serve.base}/web/sign-in`);
  await page.fill('#accessKeyId', key.accessKeyId);
  await page.fill('#secretKey', key.secretKey);
  await Promise.all([page.waitForURL(landing), page.click('form.stack button[type=submit]')]);
}

/** Width of the document beyond the window, in CSS pixels (0: nothing sticks out). */
const overflow = (): Promise<number> =>
  page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');

const PAGES = (): Array<[string, string]> => [
  ['feeds', '/web/feeds'],
  ['report', `/web/feeds/${feedId}`],
  ['orders', '/web/orders'],
  ['order', `/web/orders/${OPEN_ORDER}`],
  ['cancel-rate', '/web/cancel-rate'],
  ['cancel-rate-90', '/web/cancel-rate?days=90'],
  ['upload', '/web/upload'],
];

describe('the web pages at 1280 px and 390 px', () => {
  it.each(WIDTHS)(
    'no page is wider than a %i px window',
    async (width) => {
      await page.setViewportSize({ width, height: 860 });
      const wide: Array<[string, number]> = [];
      const measure = async (name: string): Promise<void> => {
        await page.screenshot({ path: join(SHOTS, `${width}-${name}.png`), fullPage: true });
        const extra = await overflow();
        if (extra > 0) wide.push([name, extra]);
      };
      await page.context().clearCookies();
      await page.goto(`${serve.base}/web/sign-in`);
      await measure('sign-in');
      await signIn(merchantKey, '**/web/feeds');
      for (const [name, path] of PAGES()) {
        await page.goto(`${serve.base}${path}`);
        await measure(name);
      }
      // The cancel form's first step: the review page that repeats what will happen (nothing is cancelled yet).
      await page.goto(`${serve.base}/web/orders/${OPEN_ORDER}`);
      await page.selectOption('#reason', 'NoInventory');
      await Promise.all([
        page.waitForURL(`**/web/orders/${OPEN_ORDER}/cancel`),
        page.click('button:has-text("Review cancellation")'),
      ]);
      await page.waitForSelector('#confirm');
      await measure('cancel-review');
      await signIn(operatorKey, '**/web/queues**');
      await page.waitForSelector('text=feed-apply', { timeout: 30_000 });
      await measure('queues');
      await signIn(merchantKey, '**/web/feeds');
      expect(wide).toEqual([]);
    },
    120_000,
  );

  it("keeps the chart's labels inside the SVG, the axis at 100 % for a 100 % day", async () => {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 860 });
      await page.goto(`${serve.base}/web/cancel-rate`);
      // Run in the page (a string: the test's TypeScript has no DOM types).
      const outside = await page.evaluate<string[]>(`(() => {
        const svg = document.querySelector('svg.chart');
        const box = svg.viewBox.baseVal;
        return [...svg.querySelectorAll('text')]
          .filter((t) => {
            const b = t.getBBox();
            return b.x < box.x || b.y < box.y || b.x + b.width > box.x + box.width || b.y + b.height > box.y + box.height;
          })
          .map((t) => t.textContent);
      })()`);
      expect(outside).toEqual([]);
      const labels = await page.locator('svg.chart > text').allTextContents();
      expect(labels).toContain('100.0 %');
      expect(labels.filter((l) => /^\d/.test(l)).map((l) => parseFloat(l))).toEqual([0, 50, 100]);
    }
  }, 60_000);

  it('shows a feed with errors as "Complete with errors" and statuses as words with the MWS value as a title', async () => {
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.goto(`${serve.base}/web/feeds/${feedId}`);
    const badge = page.locator('[data-report-status]');
    await expect(badge.textContent()).resolves.toBe('Complete with errors');
    const status = page.locator('[data-status="_DONE_"]');
    await expect(status.textContent()).resolves.toBe('Done');
    await expect(status.getAttribute('title')).resolves.toBe('_DONE_');
    await page.goto(`${serve.base}/web/feeds`);
    // The date's text lies on one line (its line boxes), however tall the row is.
    const lines = await page.evaluate<number>(`(() => {
      const range = document.createRange();
      range.selectNodeContents(document.querySelector('tr[data-feed="${feedId}"] td.when'));
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    })()`);
    expect(lines).toBe(1);
  }, 60_000);

  it('answers /metrics?days=abc with a clear 400 naming the value', async () => {
    const key = await serve.createKey(SAMPLE_MERCHANT);
    const answer = await fetch(`${serve.base}/metrics?days=abc`, {
      headers: { authorization: `Bearer ${key.secretKey}` },
    });
    expect(answer.status).toBe(400);
    const text = await answer.text();
    expect(text).toContain("Invalid value 'abc' for parameter days: a whole number of days from 1 to 365");
    expect(text).not.toContain('NaN');
  });

  it('logs no Content-Security-Policy violation on any page, the BullMQ dashboard included', async () => {
    await page.setViewportSize({ width: 1280, height: 860 });
    // The dashboard is an operator's (a merchant's session gets 403): signed in again with an operator's key.
    await signIn(operatorKey, '**/web/queues**');
    await page.click('text=feed-apply', { timeout: 30_000 });
    await page.waitForURL('**/web/queues/queue/feed-apply**');
    await page.screenshot({ path: join(SHOTS, '1280-queues.png') });
    expect(consoleErrors).toEqual([]);
  }, 60_000);
});
