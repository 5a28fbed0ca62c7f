/**
 * One feed: its submission facts while it is processed (the page reloads itself until `_DONE_`), then the
 * processing report — status, summary and the results table. The table is filtered on the server from the
 * query string (`q`: words that must all appear; `result`: Error or Warning), so a filtered view is a link;
 * the script filters the same rows as you type. The raw report (XML or flat, as the API returns it) downloads
 * from /web/feeds/<id>/report.
 */
import { feedJobStates } from '../../queue/job-states.js';
import type { FastifyInstance } from 'fastify';
import type { FeedFormat, MessageResult } from '../../core/types.js';
import { loadReport } from '../../queue/feed-store.js';
import { formatTime, isOpen, REFRESH_SECONDS } from './feeds.js';
import { html } from './html.js';
import { notice, page, queryText, reportBadge, sendPage, statusBadge } from './layout.js';
import type { WebContext } from './web-context.js';

/** Rows shown at most; the count above the table says how many matched. */
const MAX_ROWS = 1000;
/** How each feed format's own report is named on the page. */
const REPORT_FORMAT_NAMES: Readonly<Record<FeedFormat, string>> = {
  xml: 'XML',
  flat: 'tab-delimited',
  json: 'JSON listings processing report',
};

const searchable = (r: MessageResult): string =>
  [
    r.messageId,
    r.resultCode,
    r.resultMessageCode,
    r.description,
    r.additionalInfo?.amazonOrderId,
    r.additionalInfo?.amazonOrderItemCode,
    r.additionalInfo?.sku,
  ]
    .join(' ')
    .toLowerCase();

export function filterResults(results: readonly MessageResult[], q: string, resultCode: string): MessageResult[] {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  return results.filter(
    (r) => (resultCode === '' || r.resultCode === resultCode) && words.every((w) => searchable(r).includes(w)),
  );
}

export function registerReport(app: FastifyInstance, web: WebContext): void {
  const { ctx } = web;

  app.get('/web/feeds/:id', async (request, reply) => {
    const session = web.sessionOf(request);
    const record = await ctx.feeds.get(session.merchantId, (request.params as { id: string }).id);
    const open = isOpen(record);
    const report =
      record.status === '_DONE_' ? await loadReport(ctx.deps.redis, ctx.config.prefix, record.feedSubmissionId) : null;
    const jobs = record.status === '_IN_PROGRESS_' ? await feedJobStates(ctx.deps, record.feedSubmissionId) : {};
    const jobText = Object.entries(jobs)
      .map(([state, n]) => `${n} ${state}`)
      .join(', ');
    const q = queryText(request.query, 'q').slice(0, 200);
    const result = ['Error', 'Warning'].includes(queryText(request.query, 'result'))
      ? queryText(request.query, 'result')
      : '';
    const matched = report ? filterResults(report.results, q, result) : [];
    const shown = matched.slice(0, MAX_ROWS);
    const facts = html`
<div class="card">
<dl class="facts">
  <dt>FeedSubmissionId</dt><dd class="mono">${record.feedSubmissionId}</dd>
  <dt>FeedType</dt><dd class="mono">${record.feedType ?? '—'}</dd>
  <dt>Status</dt><dd>${statusBadge(record.status)}${report ? html` ${reportBadge(report)}` : ''}</dd>
  <dt>File</dt><dd class="mono">${record.fileName}</dd>
  <dt>Submitted</dt><dd>${formatTime(record.submittedDate)}</dd>
  <dt>Started</dt><dd>${formatTime(record.startedProcessingDate)}</dd>
  <dt>Completed</dt><dd>${formatTime(record.completedProcessingDate)}</dd>
  ${jobText ? html`<dt>Jobs</dt><dd id="jobs">${jobText}</dd>` : ''}
  ${record.recovery ? html`<dt>Recovery</dt><dd id="recovery">${record.recovery}</dd>` : ''}
  ${record.duplicateOf ? html`<dt>Duplicate of</dt><dd><a href="/web/feeds/${record.duplicateOf}">${record.duplicateOf}</a> (same content; nothing applied again)</dd>` : ''}
</dl>
</div>`;
    const rows = shown.map(
      (r) => html`<tr class="${r.resultCode === 'Error' ? 'error' : 'warning'}">
  <td class="num">${r.messageId}</td>
  <td>${r.resultCode}</td>
  <td class="num">${r.resultMessageCode}</td>
  <td class="desc">${r.description}</td>
  <td class="mono">${r.additionalInfo?.amazonOrderId ?? ''}${r.additionalInfo?.amazonOrderItemCode ? html`<br>${r.additionalInfo.amazonOrderItemCode}` : ''}${r.additionalInfo?.sku ? html`<br>SKU ${r.additionalInfo.sku}` : ''}</td>
</tr>`,
    );
    const reportPart = report
      ? html`
<dl class="summary">
  <div><dt>Processed</dt><dd>${report.summary.messagesProcessed}</dd></div>
  <div><dt>Successful</dt><dd>${report.summary.messagesSuccessful}</dd></div>
  <div><dt>With error</dt><dd>${report.summary.messagesWithError}</dd></div>
  <div><dt>With warning</dt><dd>${report.summary.messagesWithWarning}</dd></div>
</dl>
<p><a href="/web/feeds/${record.feedSubmissionId}/report">Download the processing report</a> (${REPORT_FORMAT_NAMES[report.format]}, as GetFeedSubmissionResult returns it)</p>
<h2>Results</h2>
<form class="filters" method="get" action="/web/feeds/${record.feedSubmissionId}" role="search">
  <input type="search" name="q" value="${q}" placeholder="Filter: message, code, description, order, SKU" aria-label="Filter results" data-filter-rows="results">
  <select name="result" aria-label="Result code">
    <option value="">Errors and warnings</option>
    <option value="Error"${result === 'Error' ? html` selected` : ''}>Errors</option>
    <option value="Warning"${result === 'Warning' ? html` selected` : ''}>Warnings</option>
  </select>
  <button type="submit" class="secondary">Filter</button>
  <span class="muted"><span data-filter-count>${shown.length}</span> of ${report.results.length} results${matched.length > shown.length ? html` (first ${MAX_ROWS} of ${matched.length} shown)` : ''}</span>
</form>
<div class="scroll"><table id="results">
<thead><tr><th class="num">Message</th><th>Result</th><th class="num">Code</th><th>Description</th><th>Order / item / SKU</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>
${report.results.length === 0 ? html`<p class="muted">Every message was processed without errors or warnings.</p>` : ''}`
      : open
        ? notice(
            'warn',
            html`The feed is ${record.status === '_SUBMITTED_' ? 'waiting to be processed' : 'being processed'}; this page reloads every ${REFRESH_SECONDS} s until its report is ready.`,
          )
        : notice('warn', 'This feed was cancelled before processing; it has no processing report.');
    const frame = {
      title: `Feed ${record.feedSubmissionId}`,
      user: web.userOf(session),
      active: 'feeds' as const,
      ...(open ? { refreshSeconds: REFRESH_SECONDS } : {}),
    };
    return sendPage(reply, page(frame, html`${facts}${reportPart}`));
  });

  app.get('/web/feeds/:id/report', async (request, reply) => {
    const session = web.sessionOf(request);
    const found = await ctx.feeds.result(session.merchantId, (request.params as { id: string }).id);
    const type = found.headers['content-type'];
    const extension = type.startsWith('text/xml') ? 'xml' : type.startsWith('application/json') ? 'json' : 'txt';
    const disposition = `attachment; filename="report-${found.feedSubmissionId}.${extension}"`;
    return reply.headers({ ...found.headers, 'content-disposition': disposition }).send(found.stream());
  });
}
