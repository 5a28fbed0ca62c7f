/**
 * The page frame (head, navigation, sign-out form) and how pages are sent: as UTF-8 HTML that is never cached,
 * under the strict Content-Security-Policy set in security-headers.ts (scripts and styles only from /web/).
 */
import type { FastifyReply } from 'fastify';
import { html, type Html } from './html.js';

export interface Frame {
  title: string;
  /** The signed-in merchant, with the CSRF token of its session (for the sign-out form); null on sign-in. */
  user: { merchantId: string; accessKeyId: string; csrf: string } | null;
  /** Which navigation entry is the current page. */
  active?: 'feeds' | 'upload' | 'orders' | 'cancel-rate';
  /** Reload the page after this many seconds (feeds still processing): works without JavaScript. */
  refreshSeconds?: number;
}

const NAV: ReadonlyArray<[NonNullable<Frame['active']>, string, string]> = [
  ['feeds', '/web/feeds', 'Feeds'],
  ['upload', '/web/upload', 'Upload'],
  ['orders', '/web/orders', 'Orders'],
  ['cancel-rate', '/web/cancel-rate', 'Cancel rate'],
];

export function page(frame: Frame, body: Html): Html {
  const nav = frame.user
    ? html`<nav aria-label="Main">${NAV.map(([id, href, label]) => html`<a href="${href}"${id === frame.active ? html` aria-current="page"` : ''}>${label}</a>`)}</nav>
      <form class="signout" method="post" action="/web/sign-out">
        <span class="who" title="${frame.user.accessKeyId}">Merchant <strong>${frame.user.merchantId}</strong></span>
        <input type="hidden" name="_csrf" value="${frame.user.csrf}">
        <button type="submit" class="link">Sign out</button>
      </form>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${frame.refreshSeconds ? html`<meta http-equiv="refresh" content="${frame.refreshSeconds}">` : ''}
<title>${frame.title} · feedproc</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/web/app.css">
<script src="/web/app.js" defer></script>
</head>
<body>
<header class="top"><a class="brand" href="/web/feeds">feedproc</a>${nav}</header>
<main>
<h1>${frame.title}</h1>
${body}
</main>
</body>
</html>
`;
}

export function sendPage(reply: FastifyReply, markup: Html, status = 200): FastifyReply {
  return reply.status(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(markup.text);
}

/** A notice box: `ok` (green), `warn` (amber) or `error` (red). */
export function notice(kind: 'ok' | 'warn' | 'error', content: Html | string): Html {
  return html`<div class="notice ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${content}</div>`;
}

/** What a person reads for each MWS FeedProcessingStatus; the MWS value stays in the badge's title. */
const STATUS_LABELS: Readonly<Record<string, string>> = {
  _SUBMITTED_: 'Submitted',
  _IN_PROGRESS_: 'In progress',
  _DONE_: 'Done',
  _CANCELLED_: 'Cancelled',
  _AWAITING_ASYNCHRONOUS_REPLY_: 'Awaiting reply',
  _IN_SAFETY_NET_: 'In safety net',
  _UNCONFIRMED_: 'Unconfirmed',
};

/** A feed processing status as a badge. */
export function statusBadge(status: string): Html {
  const tone = status === '_DONE_' ? 'ok' : status === '_CANCELLED_' ? 'muted' : 'busy';
  return html`<span class="badge ${tone}" data-status="${status}" title="${status}">${STATUS_LABELS[status] ?? status}</span>`;
}

/** A report's outcome: "Complete" only when no message failed; the report's StatusCode stays in the title. */
export function reportBadge(report: { statusCode: string; summary: { messagesWithError: number } }): Html {
  if (report.statusCode !== 'Complete')
    return html`<span class="badge bad" data-report-status="${report.statusCode}">${report.statusCode}</span>`;
  const errors = report.summary.messagesWithError;
  return errors === 0
    ? html`<span class="badge ok" data-report-status="Complete">Complete</span>`
    : html`<span class="badge warn" data-report-status="Complete" title="StatusCode Complete: ${errors} message${errors === 1 ? '' : 's'} with errors">Complete with errors</span>`;
}

/** Query-string value as one string ('' when absent). */
export function queryText(query: unknown, name: string): string {
  const value = (query as Record<string, unknown> | null)?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}
