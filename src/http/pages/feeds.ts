/**
 * The feeds list (status and counts, reloading itself while a feed is still being processed) and the upload
 * form. An upload is multipart/form-data: the CSRF token and the FeedType come before the file, and the file
 * part is streamed straight into `ctx.feeds.submit` — the claim path every feed takes — never held in memory.
 * The name the browser gives the file is never used: the stored name is `upload-<FeedSubmissionId>.<ext>`.
 */
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { FEED_TYPES } from '../../core/feed-types.js';
import { FeedError, isFeedError } from '../../core/errors.js';
import { loadReportHead, type FeedRecord, type ReportHead } from '../../queue/feed-store.js';
import { httpErrorOf } from '../http-errors.js';
import { html, type Html } from './html.js';
import { notice, page, queryText, sendPage, statusBadge } from './layout.js';
import type { Session } from './session.js';
import { field, type WebContext } from './web-context.js';

const PAGE_SIZE = 25;
/** Seconds between reloads of a page showing a feed still being processed. */
export const REFRESH_SECONDS = 2;

/**
 * Reads and drops the rest of a refused upload before answering: a client still sending its body would
 * otherwise see the connection reset instead of the refusal.
 */
async function discard(file: Readable): Promise<void> {
  await finished(file.resume()).catch(() => undefined);
}

export const isOpen = (record: FeedRecord): boolean =>
  record.status === '_SUBMITTED_' || record.status === '_IN_PROGRESS_';

export function formatTime(iso: string | null): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$|Z$/, ' UTC');
}

function countsCells(record: FeedRecord, head: ReportHead | null): Html {
  if (!head)
    return html`<td class="num">${record.messages || '—'}</td><td class="num">—</td><td class="num">—</td><td class="num">—</td>`;
  const s = head.summary;
  return html`<td class="num">${s.messagesProcessed}</td><td class="num">${s.messagesSuccessful}</td><td class="num">${s.messagesWithError}</td><td class="num">${s.messagesWithWarning}</td>`;
}

export function registerFeeds(app: FastifyInstance, web: WebContext): void {
  const { ctx } = web;

  app.get('/web/', async (_request, reply) => reply.redirect('/web/feeds', 303));
  app.get('/web', async (_request, reply) => reply.redirect('/web/feeds', 303));

  app.get('/web/feeds', async (request, reply) => {
    const session = web.sessionOf(request);
    const token = queryText(request.query, 'next');
    const found = token
      ? await ctx.feeds.next(session.merchantId, token)
      : await ctx.feeds.list(session.merchantId, {}, PAGE_SIZE);
    const heads = await Promise.all(
      found.feeds.map((f) =>
        f.status === '_DONE_' ? loadReportHead(ctx.deps.redis, ctx.config.prefix, f.feedSubmissionId) : null,
      ),
    );
    const open = found.feeds.some(isOpen);
    const rows = found.feeds.map(
      (f, i) => html`<tr data-feed="${f.feedSubmissionId}">
  <td><a href="/web/feeds/${f.feedSubmissionId}">${f.feedSubmissionId}</a></td>
  <td class="mono">${f.feedType ?? '—'}</td>
  <td>${statusBadge(f.status)}${heads[i]?.statusCode === 'Rejected' ? html` <span class="badge bad">Rejected</span>` : ''}${f.duplicateOf ? html` <span class="muted">duplicate of <a href="/web/feeds/${f.duplicateOf}">${f.duplicateOf}</a></span>` : ''}</td>
  <td class="when">${formatTime(f.submittedDate)}</td>
  ${countsCells(f, heads[i] ?? null)}
  <td class="mono">${f.fileName}</td>
</tr>`,
    );
    const body = html`
${open ? notice('warn', html`Some feeds are still being processed; this page reloads every ${REFRESH_SECONDS} s.`) : ''}
<p><a href="/web/upload">Upload a feed</a> · the feeds of the last 90 days, newest first.</p>
${
  found.feeds.length === 0
    ? html`<div class="card">No feeds yet.</div>`
    : html`<div class="scroll"><table id="feeds">
<thead><tr><th>FeedSubmissionId</th><th>FeedType</th><th>Status</th><th>Submitted</th><th class="num">Processed</th><th class="num">Successful</th><th class="num">Errors</th><th class="num">Warnings</th><th>File</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`
}
<div class="pager">${token ? html`<a href="/web/feeds">Newest</a>` : ''}${found.nextToken ? html`<a href="/web/feeds?next=${encodeURIComponent(found.nextToken)}">Older</a>` : ''}</div>`;
    return sendPage(
      reply,
      page(
        {
          title: 'Feeds',
          user: web.userOf(session),
          active: 'feeds',
          ...(open ? { refreshSeconds: REFRESH_SECONDS } : {}),
        },
        body,
      ),
    );
  });

  const uploadForm = (
    reply: FastifyReply,
    session: Session,
    options: { status?: number; error?: string; feedType?: string },
  ) => {
    const body = html`
<div class="card narrow">
  ${options.error ? notice('error', options.error) : ''}
  <form class="stack" method="post" action="/web/upload" enctype="multipart/form-data" data-once>
    <input type="hidden" name="_csrf" value="${web.userOf(session).csrf}">
    <label for="feedType">FeedType</label>
    <select id="feedType" name="feedType" required>
      ${FEED_TYPES.map((t) => html`<option value="${t.feedType}"${t.feedType === options.feedType ? html` selected` : ''}>${t.feedType} (${t.format === 'xml' ? 'XML' : t.format === 'json' ? 'JSON' : 'flat file'})</option>`)}
    </select>
    <label for="file">Feed file</label>
    <input type="file" id="file" name="file" required>
    <button type="submit" class="primary">Submit feed</button>
  </form>
</div>
<p class="muted">The file enters the same queue as files dropped into the feeds folder and the API's SubmitFeed.</p>`;
    return sendPage(
      reply,
      page({ title: 'Upload a feed', user: web.userOf(session), active: 'upload' }, body),
      options.status ?? 200,
    );
  };

  app.get('/web/upload', async (request, reply) => uploadForm(reply, web.sessionOf(request), {}));

  app.post('/web/upload', async (request, reply) => {
    const session = web.sessionOf(request);
    if (!request.isMultipart()) {
      web.checkCsrf(session, field(request.body, '_csrf'));
      throw new FeedError('HTTP_BAD_REQUEST', { detail: 'the upload form is sent as multipart/form-data' });
    }
    const part = await request.file();
    const value = (name: string): string => {
      const f = part?.fields[name];
      const one = Array.isArray(f) ? f[0] : f;
      return one && one.type === 'field' && typeof one.value === 'string' ? one.value : '';
    };
    if (!part) throw new FeedError('HTTP_CSRF');
    try {
      web.checkCsrf(session, value('_csrf'));
    } catch (err) {
      await discard(part.file);
      throw err;
    }
    const feedType = value('feedType');
    try {
      const record = await ctx.feeds.submit(session.merchantId, feedType, part.file, null);
      return reply.redirect(`/web/feeds/${record.feedSubmissionId}`, 303);
    } catch (err) {
      await discard(part.file);
      if (!isFeedError(err)) throw err;
      const answer = httpErrorOf(err);
      return uploadForm(reply, session, { status: answer.status, error: answer.message, feedType });
    }
  });
}
