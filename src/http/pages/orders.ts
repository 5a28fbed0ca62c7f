/**
 * Orders: the merchant's orders newest first (the orders-by-purchase index) with a search, one order with its
 * items and cancellations, and the Manage Orders "Cancel order" action — reason, seller note, optionally items
 * and quantities — in two steps: the form posts to a confirmation page that repeats what will happen, and
 * only its "Confirm" applies it through `cancelOrderWithResult`, with a request id made for that confirmation
 * so that sending the confirmation twice cancels once.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { cancelOrderWithResult, type CancelRequest } from '../../apply/cancel-order.js';
import { createLedger, type LedgerOrder } from '../../apply/ledger.js';
import { orderFromHash } from '../../apply/order-hash.js';
import { CANCEL_REASONS, isCancelReason } from '../../core/cancel-reasons.js';
import { FeedError } from '../../core/errors.js';
import { formatMinorUnits } from '../../core/money.js';
import { cancelRatePanel } from './cancel-rate-chart.js';
import { formatTime } from './feeds.js';
import { html, type Html } from './html.js';
import { notice, page, queryText, sendPage } from './layout.js';
import type { Session } from './session.js';
import { field, fields, type WebContext } from './web-context.js';

const PAGE_SIZE = 50;
const SCAN = 200;
/** Orders looked at per search page at most, so a search over a large ledger answers promptly (then "More"). */
const SCAN_LIMIT = 20_000;
const NOTE_MAX = 1000;
const ORDER_ID = /^[A-Za-z0-9_-]{1,64}$/;

const openUnits = (order: LedgerOrder, code: string): number => {
  const item = order.items[code];
  return item ? Math.max(item.ordered - item.shipped - item.cancelled, 0) : 0;
};

/** "Principal 129.00, Tax 24.12 PLN"; zero components (an order report's empty gift wrap) left out. */
const amounts = (minor: Record<string, string>, currency: string): string => {
  const shown = Object.entries(minor).filter(([, value]) => Number(value) !== 0);
  return shown.length === 0
    ? '—'
    : `${shown.map(([component, value]) => `${component} ${formatMinorUnits(Number(value))}`).join(', ')} ${currency}`;
};

const orderText = (o: LedgerOrder): string =>
  [
    o.id,
    o.merchantOrderId,
    o.buyerName,
    o.status,
    o.marketplace,
    ...o.itemOrder,
    ...o.itemOrder.map((c) => o.items[c]?.sku),
  ]
    .join(' ')
    .toLowerCase();

/** What the cancel form asked for, checked; `error` says what is wrong with it. */
interface CancelAsk {
  reason: string;
  note: string;
  items: Array<{ code: string; quantity?: number }>;
  error?: string;
}

function readCancelForm(body: unknown, order: LedgerOrder): CancelAsk {
  const reason = field(body, 'reason');
  const note = field(body, 'note').replace(/\r\n/g, '\n').trim();
  const items: CancelAsk['items'] = [];
  const ask: CancelAsk = { reason, note, items };
  if (!isCancelReason(reason)) return { ...ask, error: 'Choose a reason from the list.' };
  if (note.length > NOTE_MAX) return { ...ask, error: `The note is longer than ${NOTE_MAX} characters.` };
  for (const code of [...new Set(fields(body, 'item'))]) {
    if (!order.items[code]) return { ...ask, error: `Order ${order.id} has no item ${code}.` };
    const qty = field(body, `qty_${code}`).trim();
    if (qty === '') {
      items.push({ code });
      continue;
    }
    const quantity = Number(qty);
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > 999_999)
      return { ...ask, error: `The quantity of item ${code} must be a whole number of at least 1.` };
    items.push({ code, quantity });
  }
  return ask;
}

export function registerOrders(app: FastifyInstance, web: WebContext): void {
  const { ctx } = web;
  const ledgerOf = (session: Session) => createLedger(ctx.deps.redis, ctx.config.prefix, session.merchantId);

  const loadOrder = async (session: Session, orderId: string): Promise<LedgerOrder> => {
    const order = ORDER_ID.test(orderId) ? await ledgerOf(session).order(orderId) : null;
    if (!order) throw new FeedError('HTTP_ORDER_NOT_FOUND', { orderId });
    return order;
  };

  app.get('/web/orders', async (request, reply) => {
    const session = web.sessionOf(request);
    const q = queryText(request.query, 'q').slice(0, 100);
    const words = q.toLowerCase().split(/\s+/).filter(Boolean);
    const startAt = Math.max(
      0,
      Math.min(Number.parseInt(queryText(request.query, 'from'), 10) || 0, Number.MAX_SAFE_INTEGER),
    );
    const index = ledgerOf(session).keys.ordersByPurchase();
    const found: LedgerOrder[] = [];
    let at = startAt;
    let exhausted = false;
    while (found.length < PAGE_SIZE && at - startAt < SCAN_LIMIT) {
      const ids = await ctx.deps.redis.zrevrange(index, at, at + SCAN - 1);
      const pipeline = ctx.deps.redis.pipeline();
      for (const id of ids) pipeline.hgetall(ledgerOf(session).keys.order(id));
      const hashes = ids.length > 0 ? ((await pipeline.exec()) ?? []) : [];
      let used = 0;
      for (const [err, hash] of hashes) {
        if (err) throw err;
        used += 1;
        const order = orderFromHash(hash as Record<string, string>);
        if (order && words.every((w) => orderText(order).includes(w))) found.push(order);
        if (found.length === PAGE_SIZE) break;
      }
      at += used;
      if (ids.length < SCAN && used === ids.length) {
        exhausted = true;
        break;
      }
    }
    const rows = found.map(
      (o) => html`<tr data-order="${o.id}">
  <td class="mono"><a href="/web/orders/${o.id}">${o.id}</a></td>
  <td>${formatTime(o.purchaseDate)}</td>
  <td>${o.status}</td>
  <td>${o.buyerName ?? ''}</td>
  <td class="mono">${o.itemOrder.map((c, i) => html`${i > 0 ? html`<br>` : ''}${o.items[c]?.sku ?? ''} × ${o.items[c]?.ordered ?? 0}`)}</td>
  <td>${o.marketplace ?? ''}</td>
</tr>`,
    );
    const more =
      !exhausted && found.length > 0
        ? html`<a href="/web/orders?q=${encodeURIComponent(q)}&amp;from=${at}">More</a>`
        : '';
    const body = html`
${await cancelRatePanel(web, session.merchantId)}
<h2>Orders</h2>
<form class="filters" method="get" action="/web/orders" role="search">
  <input type="search" name="q" value="${q}" placeholder="Order ID, SKU, buyer, status" aria-label="Search orders">
  <button type="submit" class="secondary">Search</button>
  ${q ? html`<a href="/web/orders">Clear</a>` : ''}
</form>
${
  found.length === 0
    ? html`<div class="card">${q ? 'No order matches.' : 'No orders yet: import an order report (feedproc orders import FILE).'}</div>`
    : html`<div class="scroll"><table id="orders">
<thead><tr><th>AmazonOrderID</th><th>Purchased</th><th>Status</th><th>Buyer</th><th>SKU × ordered</th><th>Marketplace</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`
}
<div class="pager">${startAt > 0 ? html`<a href="/web/orders?q=${encodeURIComponent(q)}">First</a>` : ''}${more}</div>`;
    return sendPage(reply, page({ title: 'Orders', user: web.userOf(session), active: 'orders' }, body));
  });

  const orderFacts = (order: LedgerOrder): Html => html`
<div class="card">
<dl class="facts">
  <dt>Status</dt><dd><strong data-order-status>${order.status}</strong></dd>
  <dt>Purchased</dt><dd>${formatTime(order.purchaseDate)}</dd>
  <dt>Marketplace</dt><dd>${order.marketplace ?? '—'} (${order.currency})</dd>
  <dt>Buyer</dt><dd>${order.buyerName ?? '—'}</dd>
  ${order.merchantOrderId ? html`<dt>MerchantOrderID</dt><dd class="mono">${order.merchantOrderId}</dd>` : ''}
  <dt>Buyer asked to cancel</dt><dd>${order.buyerCancelRequested ? 'yes' : 'no'}</dd>
  ${order.sellerNote !== undefined ? html`<dt>Seller note</dt><dd class="seller-note">${order.sellerNote}</dd>` : ''}
</dl>
</div>
<div class="scroll"><table id="items">
<thead><tr><th>AmazonOrderItemCode</th><th>SKU</th><th class="num">Ordered</th><th class="num">Shipped</th><th class="num">Cancelled</th><th class="num">Open</th><th>Charged</th><th>Refunded</th></tr></thead>
<tbody>${order.itemOrder.map((code) => {
    const item = order.items[code];
    return html`<tr><td class="mono">${code}</td><td class="mono">${item?.sku ?? ''}</td><td class="num">${item?.ordered ?? 0}</td><td class="num">${item?.shipped ?? 0}</td><td class="num">${item?.cancelled ?? 0}</td><td class="num">${openUnits(order, code)}</td><td>${amounts(item?.charged ?? {}, order.currency)}</td><td>${amounts(item?.refunded ?? {}, order.currency)}</td></tr>`;
  })}</tbody>
</table></div>`;

  const orderPage = async (
    reply: FastifyReply,
    session: Session,
    order: LedgerOrder,
    options: { status?: number; error?: string; ask?: CancelAsk } = {},
  ) => {
    const cancellations = await ledgerOf(session).cancellations(order.id);
    const open = order.itemOrder.some((code) => openUnits(order, code) > 0);
    const ask = options.ask;
    const chosen = new Map((ask?.items ?? []).map((i) => [i.code, i.quantity]));
    const csrf = web.userOf(session).csrf;
    const form = open
      ? html`
<h2>Cancel order</h2>
<div class="card">
${options.error ? notice('error', options.error) : ''}
<form class="stack" method="post" action="/web/orders/${order.id}/cancel">
  <input type="hidden" name="_csrf" value="${csrf}">
  <input type="hidden" name="step" value="review">
  <label for="reason">Reason</label>
  <select id="reason" name="reason" required>
    <option value="">Choose a reason…</option>
    ${CANCEL_REASONS.map((r) => html`<option value="${r}"${ask?.reason === r ? html` selected` : ''}>${r}</option>`)}
  </select>
  <label for="note">Note to keep with the cancellation (optional)</label>
  <textarea id="note" name="note" maxlength="${NOTE_MAX}">${ask?.note ?? ''}</textarea>
  <fieldset>
    <legend>Items — none ticked cancels the whole order; an empty quantity cancels all open units of the item</legend>
    ${order.itemOrder.map((code) => {
      const units = openUnits(order, code);
      return html`<div class="item-row"><label><input type="checkbox" name="item" value="${code}" data-item-check="qty_${code}"${chosen.has(code) ? html` checked` : ''}${units === 0 ? html` disabled` : ''}> <span class="mono">${code}</span> · <span class="mono">${order.items[code]?.sku ?? ''}</span> · ${units} open</label>
      <input type="number" id="qty_${code}" name="qty_${code}" min="1" max="${Math.max(units, 1)}" placeholder="all" aria-label="Quantity of ${code}" value="${chosen.get(code) ?? ''}"></div>`;
    })}
  </fieldset>
  <button type="submit" class="primary">Review cancellation</button>
</form>
</div>`
      : html`<p class="muted">No unit of this order is open: nothing left to cancel.</p>`;
    const history = cancellations.length
      ? html`<h2>Cancellations</h2><div class="scroll"><table id="cancellations"><thead><tr><th>Item</th><th class="num">Units</th><th>Reason</th><th>Source</th><th>Buyer e-mail</th></tr></thead><tbody>${cancellations.map(
          (c) =>
            html`<tr><td class="mono">${c.itemCode}</td><td class="num">${c.units}</td><td>${c.reason}</td><td>${c.source}</td><td>${c.mail}</td></tr>`,
        )}</tbody></table></div>`
      : '';
    return sendPage(
      reply,
      page(
        { title: `Order ${order.id}`, user: web.userOf(session), active: 'orders' },
        html`${orderFacts(order)}${history}${form}`,
      ),
      options.status ?? 200,
    );
  };

  app.get('/web/orders/:id', async (request, reply) => {
    const session = web.sessionOf(request);
    return orderPage(reply, session, await loadOrder(session, (request.params as { id: string }).id));
  });

  app.post('/web/orders/:id/cancel', async (request, reply) => {
    const session = web.sessionOf(request);
    const order = await loadOrder(session, (request.params as { id: string }).id);
    const ask = readCancelForm(request.body, order);
    if (ask.error) return orderPage(reply, session, order, { status: 400, error: ask.error, ask });
    const step = field(request.body, 'step');
    const csrf = web.userOf(session).csrf;
    if (step !== 'confirm') {
      const what =
        ask.items.length === 0
          ? html`the whole order: every open unit of ${order.itemOrder.length} item${order.itemOrder.length === 1 ? '' : 's'}`
          : html`<ul>${ask.items.map((i) => html`<li><span class="mono">${i.code}</span> (${order.items[i.code]?.sku ?? ''}): ${i.quantity === undefined ? `all ${openUnits(order, i.code)} open units` : `${i.quantity} unit${i.quantity === 1 ? '' : 's'}`}</li>`)}</ul>`;
      const body = html`
<div class="card" id="confirm">
<p>You are about to cancel ${what} of order <strong class="mono">${order.id}</strong>.</p>
<dl class="facts">
  <dt>Reason</dt><dd>${ask.reason}</dd>
  <dt>Note</dt><dd class="seller-note">${ask.note === '' ? '—' : ask.note}</dd>
</dl>
<p class="muted">The buyer gets an e-mail; the cancelled units go back to stock${ask.reason === 'NoInventory' ? ', except that NoInventory sets the SKU’s quantity to 0' : ''}. ${ask.reason === 'BuyerCanceled' && order.buyerCancelRequested ? 'The buyer asked to cancel, so this does not count toward your cancel rate.' : 'This counts toward your cancel rate.'}</p>
<form method="post" action="/web/orders/${order.id}/cancel" data-once>
  <input type="hidden" name="_csrf" value="${csrf}">
  <input type="hidden" name="step" value="confirm">
  <input type="hidden" name="requestId" value="${randomUUID()}">
  <input type="hidden" name="reason" value="${ask.reason}">
  <input type="hidden" name="note" value="${ask.note}">
  ${ask.items.map((i) => html`<input type="hidden" name="item" value="${i.code}">${i.quantity === undefined ? '' : html`<input type="hidden" name="qty_${i.code}" value="${i.quantity}">`}`)}
  <div class="actions"><button type="submit" class="danger">Confirm cancellation</button> <a href="/web/orders/${order.id}">Back</a></div>
</form>
</div>`;
      return sendPage(
        reply,
        page({ title: `Cancel order ${order.id}?`, user: web.userOf(session), active: 'orders' }, body),
      );
    }
    const requestId = field(request.body, 'requestId');
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(requestId))
      throw new FeedError('HTTP_PARAMETER_INVALID', {
        name: 'requestId',
        value: requestId,
        detail: 'the confirmation form gives it',
      });
    const cancel: CancelRequest = {
      orderId: order.id,
      reason: ask.reason as CancelRequest['reason'],
      note: ask.note === '' ? undefined : ask.note,
      items: ask.items,
      requestId: `${session.merchantId}:web:${requestId}`,
    };
    const result = await cancelOrderWithResult(ledgerOf(session), cancel, ctx.deps.now());
    const after = (await ledgerOf(session).order(order.id)) ?? order;
    const outcome =
      result.result === 'Cancelled'
        ? notice(
            'ok',
            html`Order <strong class="mono">${order.id}</strong> was cancelled (${ask.reason}). It is now <strong>${after.status}</strong>.`,
          )
        : notice(
            'error',
            html`The cancellation was refused (${result.resultMessageCode ?? ''}): ${result.description ?? ''}`,
          );
    const body = html`<div id="cancel-result" data-result="${result.result}">${outcome}</div>
${orderFacts(after)}
${await cancelRatePanel(web, session.merchantId)}
<p><a href="/web/orders/${order.id}">Back to the order</a> · <a href="/web/orders">All orders</a></p>`;
    return sendPage(
      reply,
      page(
        {
          title: result.result === 'Cancelled' ? 'Order cancelled' : 'Cancellation refused',
          user: web.userOf(session),
          active: 'orders',
        },
        body,
      ),
      result.result === 'Cancelled' ? 200 : 409,
    );
  });
}
