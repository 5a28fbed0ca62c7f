/**
 * The cancel-rate panel's empty window (issue 19): with the samples on a fresh start Amazon's 7-day window holds
 * no order, so the panel names the days it covers, the latest order's purchase date and the shortest window that
 * holds it, instead of a bare 0.00 %.
 */
import { emptyWindow } from '../../src/http/pages/cancel-rate-chart.js';

const NOW = Date.parse('2026-12-05T09:00:00Z');
const DAY = 24 * 3600 * 1000;

describe('the cancel-rate panel without orders in its window', () => {
  it('points to the shortest window that holds the latest order', () => {
    const text = String(emptyWindow(7, NOW, NOW - 14 * DAY));
    expect(text).toContain('No order was bought in the last 7 days (since 2026-11-28)');
    expect(text).toContain('Your latest order was bought on 2026-11-21: see <a href="/web/cancel-rate?days=30">');
    expect(String(emptyWindow(30, NOW, NOW - 60 * DAY))).toContain('href="/web/cancel-rate?days=90"');
    expect(String(emptyWindow(7, NOW, NOW - 200 * DAY))).toContain('href="/web/cancel-rate?days=365"');
  });

  it('says when the latest order is older than every window, and where orders come from when there are none', () => {
    const old = String(emptyWindow(365, NOW, NOW - 400 * DAY));
    expect(old).toContain('bought on 2025-10-31, before the longest window (365 days)');
    expect(old).not.toContain('href=');
    expect(String(emptyWindow(7, NOW, null))).toContain('Orders come from an imported order report');
  });
});
