/**
 * The cancel-rate panel: the 7-day pre-fulfillment cancel rate (docs/ledger-rules.md#the-cancel-rate) with
 * its status against the 2.5 % target (or over 30, 90 or 365 days, `?days=`), and a hand-written SVG bar chart of
 * the rate per day of the last 7 days with the target as a dashed line. Plain SVG with presentation attributes: no
 * script, no inline style. A window without orders says so: which days it covers, when the latest order was bought
 * and the shortest window that holds it (the samples' orders keep their own dates, so on a fresh start they are
 * usually older than a week).
 */
import type { FastifyInstance } from 'fastify';
import {
  CANCEL_RATE_TARGET,
  cancelRate,
  cancelRateByDay,
  formatRate,
  latestPurchase,
  type DailyCancelRate,
} from '../../apply/cancel-rate.js';
import { html, type Html } from './html.js';
import { page, queryText, sendPage } from './layout.js';
import type { WebContext } from './web-context.js';

/** Amazon's metric is over 7 days; the longer windows show older orders (e.g. the samples, on a fresh start). */
const WINDOWS = [7, 30, 90, 365] as const;
const DAY_MS = 24 * 3600 * 1000;
/** The chart shows one bar per day of at most this many latest days. */
const CHART_DAYS = 7;

const W = 560;
const H = 210;
const LEFT = 56;
const RIGHT = 80;
/** Room above the plot for the label of a bar that reaches the top. */
const TOP = 22;
const BOTTOM = 40;

/** Round values the vertical axis may end at; a rate never exceeds 100 %. */
const AXIS_TOPS = [0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 1];

/** The first round value at or above the highest rate (with a little room), never above 100 %. */
export function axisTop(highest: number): number {
  return AXIS_TOPS.find((top) => top >= highest * 1.05) ?? 1;
}

/** The per-day chart; the vertical scale always shows the target line with room above it. */
export function cancelRateChart(series: readonly DailyCancelRate[]): Html {
  const plotW = W - LEFT - RIGHT;
  const plotH = H - TOP - BOTTOM;
  const top = axisTop(Math.max(CANCEL_RATE_TARGET * 2, ...series.map((d) => d.cancelRate)));
  const y = (rate: number): number => TOP + plotH - (rate / top) * plotH;
  const slot = plotW / Math.max(series.length, 1);
  const barW = Math.min(44, slot * 0.6);
  const ticks = [0, top / 2, top];
  const fmt = (n: number): string => n.toFixed(1);
  const bars = series.map((d, i) => {
    const x = LEFT + slot * i + (slot - barW) / 2;
    const cx = LEFT + slot * i + slot / 2;
    const label = d.day.slice(5);
    if (d.orders === 0) {
      return html`<g><text x="${fmt(cx)}" y="${fmt(y(0) - 6)}" text-anchor="middle">–</text><text x="${fmt(cx)}" y="${H - 20}" text-anchor="middle">${label}</text></g>`;
    }
    const barTop = y(d.cancelRate);
    const height = Math.max(y(0) - barTop, 2); // a day with orders and no cancellation still shows a stub
    const colour = d.cancelRate < CANCEL_RATE_TARGET ? '#2da44e' : '#cf222e';
    return html`<g data-day="${d.day}" data-rate="${d.cancelRate}">
<title>${d.day}: ${d.sellerCancelledOrders} of ${d.orders} orders cancelled by the seller (${formatRate(d.cancelRate)})</title>
<rect x="${fmt(x)}" y="${fmt(y(0) - height)}" width="${fmt(barW)}" height="${fmt(height)}" rx="3" fill="${colour}"></rect>
${d.cancelRate > 0 ? html`<text x="${fmt(cx)}" y="${fmt(y(0) - height - 5)}" text-anchor="middle">${(d.cancelRate * 100).toFixed(1)} %</text>` : ''}
<text x="${fmt(cx)}" y="${H - 20}" text-anchor="middle">${label}</text>
<text x="${fmt(cx)}" y="${H - 6}" text-anchor="middle">${d.orders} ord.</text>
</g>`;
  });
  const target = y(CANCEL_RATE_TARGET);
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-labelledby="cr-title" xmlns="http://www.w3.org/2000/svg">
<title id="cr-title">Cancel rate per day, last ${series.length} days, against the 2.5 % target</title>
${ticks.map((t) => html`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${fmt(y(t))}" y2="${fmt(y(t))}" stroke="#d9e0e7" stroke-width="1"></line><text x="${LEFT - 6}" y="${fmt(y(t) + 4)}" text-anchor="end">${(t * 100).toFixed(1)} %</text>`)}
${bars}
<line x1="${LEFT}" x2="${W - RIGHT}" y1="${fmt(target)}" y2="${fmt(target)}" stroke="#cf222e" stroke-width="1.5" stroke-dasharray="6 4" data-target="${CANCEL_RATE_TARGET}"></line>
<text x="${W - RIGHT + 6}" y="${fmt(target + 4)}" fill="#cf222e">target 2.5 %</text>
</svg>`;
}

/** The window a `days` query value asks for: one of WINDOWS, else Amazon's 7 days. */
export function windowDays(value: string): number {
  return WINDOWS.find((days) => String(days) === value) ?? WINDOWS[0];
}

/** The panel: headline rate over `days`, status, counts and the chart of the last days, for the merchant now. */
export async function cancelRatePanel(web: WebContext, merchantId: string, days: number = WINDOWS[0]): Promise<Html> {
  const { redis } = web.ctx.deps;
  const now = Date.now();
  const [rate, series] = await Promise.all([
    cancelRate(redis, web.ctx.config.prefix, merchantId, days, now),
    cancelRateByDay(redis, web.ctx.config.prefix, merchantId, CHART_DAYS, now),
  ]);
  const empty =
    rate.orders === 0
      ? emptyWindow(days, now, await latestPurchase(redis, web.ctx.config.prefix, merchantId, now))
      : '';
  const good = rate.status === 'Good';
  return html`<section class="card" id="cancel-rate" data-orders="${rate.orders}" data-seller-cancelled="${rate.sellerCancelledOrders}" data-rate="${rate.cancelRate}">
<h2>Pre-fulfillment cancel rate</h2>
<p class="windows">Window: ${WINDOWS.map((d, i) => html`${i > 0 ? ' · ' : ''}<a href="/web/cancel-rate?days=${d}"${d === days ? html` aria-current="true"` : ''}>${d} days</a>`)}${days === WINDOWS[0] ? '' : html` <span class="muted">(Amazon's metric is the 7-day one; the chart shows the last ${CHART_DAYS} days)</span>`}</p>
<div class="rate">
  <div><div class="big ${good ? 'good' : 'atrisk'}">${formatRate(rate.cancelRate)}</div><div class="muted">last ${days} days · target below 2.5 %</div></div>
  <dl class="facts">
    <dt>Status</dt><dd><span class="badge ${good ? 'ok' : 'bad'}">${good ? 'Good' : 'At risk'}</span></dd>
    <dt>Orders</dt><dd class="orders">${rate.orders}</dd>
    <dt>Cancelled by you</dt><dd class="seller-cancelled">${rate.sellerCancelledOrders}</dd>
  </dl>
</div>
${empty}
${cancelRateChart(series)}
<p class="muted">Orders by purchase date. Every cancellation counts as yours except a BuyerCanceled / CustomerCancel on an order whose buyer asked to cancel through Amazon.</p>
</section>`;
}

/** What an empty window tells: the days it covers, the latest order's purchase date, the window that holds it. */
export function emptyWindow(days: number, now: number, latest: number | null): Html {
  const since = new Date(now - days * DAY_MS).toISOString().slice(0, 10);
  const head = html`No order was bought in the last ${days} days (since ${since}), so there is no rate to show yet.`;
  if (latest === null)
    return html`<p class="notice warn" id="cancel-rate-empty">${head} Orders come from an imported order report (<code>orders import</code>, or the file dropped into <code>incoming/&lt;merchant&gt;/</code>).</p>`;
  const bought = new Date(latest).toISOString().slice(0, 10);
  const wider = WINDOWS.find((d) => d > days && now - d * DAY_MS <= latest);
  return html`<p class="notice warn" id="cancel-rate-empty" data-latest="${bought}">${head} Your latest order was bought on ${bought}${
    wider === undefined
      ? html`, before the longest window (${WINDOWS[WINDOWS.length - 1]} days).`
      : html`: see <a href="/web/cancel-rate?days=${wider}">the last ${wider} days</a>.`
  } The rate counts orders by purchase date, and imported orders keep theirs.</p>`;
}

export function registerCancelRate(app: FastifyInstance, web: WebContext): void {
  app.get('/web/cancel-rate', async (request, reply) => {
    const session = web.sessionOf(request);
    const panel = await cancelRatePanel(web, session.merchantId, windowDays(queryText(request.query, 'days')));
    return sendPage(reply, page({ title: 'Cancel rate', user: web.userOf(session), active: 'cancel-rate' }, panel));
  });
}
