/**
 * The web pages in a real headless Chromium against a real `feedproc serve`: sign in with an access key,
 * upload a sample adjustment feed, see it reach _DONE_, read its report and filter it, cancel an order with a
 * reason and a note through the confirmation step, and see the cancel-rate panel count the cancellation.
 * Every page is screenshotted into test-artifacts/screenshots/ (gitignored).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openChromium, type Chromium } from '../helpers/browser.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { makeTempDir } from '../helpers/tmp.js';
import { recentOrderReport, SAMPLE_MERCHANT } from '../helpers/web-client.js';

const SCREENSHOTS = join(REPO_ROOT, 'test-artifacts', 'screenshots');
/** An order no valid message of xml-order-adjustment-invalid.xml touches: Unshipped, no buyer request. */
const ORDER = '405-1957340-6602218';
const NOTE = 'Warehouse flood: the beech boards are gone. <b>Sorry</b> & thanks!';

let serve: ServeProcess;
let tmp: ReturnType<typeof makeTempDir>;
let browser: Chromium | undefined;
let page: Page;

const shot = async (name: string): Promise<void> => {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
};

const sellerCancelled = async (): Promise<number> =>
  Number(await page.locator('#cancel-rate').getAttribute('data-seller-cancelled'));

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  tmp = makeTempDir('feedproc-web-browser-');
  serve = await startServe();
  await serve.importOrders(SAMPLE_MERCHANT, recentOrderReport(tmp.dir));
  browser = await openChromium();
  page = browser.page;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  tmp?.cleanup();
});

describe('the web pages in a browser', () => {
  it('signs in, uploads a feed, shows its report, cancels an order and counts it in the cancel rate', async () => {
    const key = await serve.createKey(SAMPLE_MERCHANT);
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));

    // Without a session every page leads to the sign-in form.
    await page.goto(`${serve.base}/web/orders`);
    expect(new URL(page.url()).pathname).toBe('/web/sign-in');
    await shot('01-sign-in');
    await page.fill('#accessKeyId', key.accessKeyId);
    await page.fill('#secretKey', key.secretKey);
    await Promise.all([page.waitForURL('**/web/orders'), page.click('form.stack button[type=submit]')]);
    await expect(page.locator('.signout strong').textContent()).resolves.toBe(SAMPLE_MERCHANT);

    // Upload the sample adjustment feed through the form.
    await page.click('nav a[href="/web/upload"]');
    await page.selectOption('#feedType', '_POST_PAYMENT_ADJUSTMENT_DATA_');
    await page.setInputFiles('#file', join(REPO_ROOT, 'samples', 'xml-order-adjustment-invalid.xml'));
    await shot('02-upload');
    await Promise.all([page.waitForURL(/\/web\/feeds\/\d+$/), page.click('form.stack button[type=submit]')]);
    const feedId = new URL(page.url()).pathname.split('/').pop() as string;

    // The feeds list reloads itself until the feed is done.
    await page.goto(`${serve.base}/web/feeds`);
    await page.waitForSelector(`tr[data-feed="${feedId}"] [data-status="_DONE_"]`, { timeout: 60_000 });
    const row = page.locator(`tr[data-feed="${feedId}"]`);
    await expect(row.locator('td.mono').first().textContent()).resolves.toBe('_POST_PAYMENT_ADJUSTMENT_DATA_');
    // 10 schema errors (as `validate` reports them) plus message 14, valid but naming a MerchantOrderID that
    // no acknowledgement has mapped in this ledger: 18028.
    await expect(row.locator('td.num').allTextContents()).resolves.toEqual(['14', '3', '11', '0']);
    await shot('03-feeds');

    // The report: summary, the expected error row, and the filter (as you type, then on the server).
    await row.locator(`a[href="/web/feeds/${feedId}"]`).click();
    await page.waitForURL(`**/web/feeds/${feedId}`);
    await expect(page.locator('dl.summary dd').allTextContents()).resolves.toEqual(['14', '3', '11', '0']);
    await expect(page.locator('#results tbody tr').count()).resolves.toBe(11);
    await expect(page.locator('#results tbody tr').last().locator('td').allTextContents()).resolves.toEqual([
      '14',
      'Error',
      '18028',
      `Your order cannot be found using Merchant ID ${SAMPLE_MERCHANT} and MerchantOrderID ZAM/2026/11/0457. Enter the correct order ID and then resubmit your feed.`,
      '',
    ]);
    const buyerCancelled = page.locator('#results tbody tr', {
      hasText: "The value 'BuyerCancelled' is not an element of the set",
    });
    await expect(buyerCancelled.locator('td').allTextContents()).resolves.toEqual([
      '3',
      'Error',
      '5000',
      expect.stringContaining("XML Parsing Error at Line 54, Column 9: Element 'AdjustmentReason'"),
      '406-6620931-334820150317545535528',
    ]);
    await shot('04-report');
    await page.fill('input[name=q]', 'buyercancelled');
    await expect(page.locator('#results tbody tr:not([hidden])').count()).resolves.toBe(1);
    await Promise.all([page.waitForURL(/q=buyercancelled/), page.click('form.filters button[type=submit]')]);
    await expect(page.locator('#results tbody tr').count()).resolves.toBe(1);
    await expect(page.locator('#results tbody tr td').first().textContent()).resolves.toBe('3');
    await shot('05-report-filtered');

    // Orders: the panel before, the search, the order.
    await page.click('nav a[href="/web/orders"]');
    const before = await sellerCancelled();
    const ordersBefore = Number(await page.locator('#cancel-rate').getAttribute('data-orders'));
    expect(ordersBefore).toBe(12);
    await shot('06-orders');
    await page.fill('input[name=q]', 'DESKA-BUK');
    await Promise.all([page.waitForURL(/q=DESKA-BUK/), page.click('form.filters button[type=submit]')]);
    await expect(
      page.locator('#orders tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-order'))),
    ).resolves.toEqual([ORDER, '405-3812004-6650731']);
    await page.click(`a[href="/web/orders/${ORDER}"]`);
    await page.waitForURL(`**/web/orders/${ORDER}`);
    await expect(page.locator('[data-order-status]').textContent()).resolves.toBe('Unshipped');
    await page.selectOption('#reason', 'NoInventory');
    await page.fill('#note', NOTE);
    await shot('07-order');

    // The confirmation step repeats the request; only "Confirm" cancels.
    await Promise.all([
      page.waitForURL(`**/web/orders/${ORDER}/cancel`),
      page.click('button:has-text("Review cancellation")'),
    ]);
    await expect(page.locator('#confirm .seller-note').textContent()).resolves.toBe(NOTE);
    await expect(page.locator('#confirm').textContent()).resolves.toContain('the whole order');
    await shot('08-confirm');
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Confirm cancellation")')]);
    await expect(page.locator('#cancel-result').getAttribute('data-result')).resolves.toBe('Cancelled');
    await expect(page.locator('[data-order-status]').textContent()).resolves.toBe('Canceled');
    await expect(page.locator('.seller-note').textContent()).resolves.toBe(NOTE);
    expect(await sellerCancelled()).toBe(before + 1);
    await expect(page.locator('#cancel-rate .orders').textContent()).resolves.toBe('12');
    await shot('09-cancelled');

    // The cancel-rate page shows the same count, and the chart has its target line.
    await page.click('nav a[href="/web/cancel-rate"]');
    expect(await sellerCancelled()).toBe(before + 1);
    await expect(page.locator('svg.chart line[data-target="0.025"]').count()).resolves.toBe(1);
    await shot('10-cancel-rate');

    // Our pages logged no error (no script error, no Content-Security-Policy violation).
    expect(errors).toEqual([]);

    // The queue dashboard holds every merchant's jobs: a merchant has no link to it and is refused there
    // (test/e2e/isolation.test.ts checks every page for merchants and operators).
    await expect(page.locator('nav a[href="/web/queues"]').count()).resolves.toBe(0);
    const dashboard = await page.goto(`${serve.base}/web/queues`);
    expect(dashboard?.status()).toBe(403);

    // Signing out ends the session: pages lead to the sign-in form again.
    await page.goto(`${serve.base}/web/feeds`);
    await Promise.all([page.waitForURL('**/web/sign-in'), page.click('.signout button')]);
    await page.goto(`${serve.base}/web/feeds`);
    expect(new URL(page.url()).pathname).toBe('/web/sign-in');
  }, 180_000);
});
