/**
 * The pages' one stylesheet and one script, served from /web/ so the Content-Security-Policy can forbid every
 * inline script and style. Every page works without the script; it only adds conveniences.
 */
import type { FastifyInstance } from 'fastify';

const CSS = `
:root { --ink: #1d2733; --muted: #5d6b7a; --line: #d9e0e7; --bg: #f5f7f9; --accent: #1f6feb; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--bg); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.top { display: flex; align-items: center; gap: 24px; padding: 10px 24px; background: #14202e; color: #e6edf3; flex-wrap: wrap; }
.top .brand { color: #fff; font-weight: 700; font-size: 18px; letter-spacing: .02em; }
.top nav { display: flex; gap: 4px; flex: 1; flex-wrap: wrap; }
.top nav a { color: #c9d4df; padding: 6px 10px; border-radius: 6px; }
.top nav a[aria-current="page"] { background: #2b3c50; color: #fff; }
.signout { display: flex; align-items: center; gap: 10px; margin: 0; color: #c9d4df; }
button.link { background: none; border: 1px solid #3d5068; color: #e6edf3; padding: 4px 10px; border-radius: 6px; cursor: pointer; }
main { max-width: 1180px; margin: 0 auto; padding: 8px 24px 48px; }
@media (max-width: 600px) { main { padding: 8px 12px 32px; } .top { padding: 10px 12px; gap: 12px; } .card { padding: 12px 14px; } }
h1 { font-size: 24px; margin: 20px 0 16px; }
h2 { font-size: 18px; margin: 28px 0 10px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 16px 20px; margin: 0 0 16px; }
.narrow { max-width: 460px; }
.scroll { max-width: 100%; overflow-x: auto; margin: 0 0 16px; border-radius: 10px; }
.scroll > table { margin: 0; min-width: 640px; }
.when { white-space: nowrap; }
table { width: 100%; margin: 0 0 16px; border-collapse: collapse; background: #fff; border: 1px solid var(--line); border-radius: 10px; overflow: hidden; }
th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef2f6; font-size: 13px; color: var(--muted); font-weight: 600; }
tr:last-child td { border-bottom: none; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.desc { max-width: 560px; word-break: break-word; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
.badge { display: inline-block; padding: 2px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.badge.ok { background: #dafbe1; color: var(--ok); }
.badge.busy { background: #fff8c5; color: var(--warn); }
.badge.muted { background: #eaeef2; color: var(--muted); }
.badge.bad { background: #ffebe9; color: var(--bad); }
.badge.warn { background: #fff1e5; color: #bc4c00; }
.notice { padding: 10px 14px; border-radius: 8px; margin: 0 0 16px; border: 1px solid; }
.notice.ok { background: #dafbe1; border-color: #aceebb; }
.notice.warn { background: #fff8c5; border-color: #eed888; }
.notice.error { background: #ffebe9; border-color: #ffc1ba; }
form.stack label { display: block; margin: 12px 0 4px; font-weight: 600; }
input[type=text], input[type=password], input[type=search], input[type=number], select, textarea { font: inherit; padding: 7px 9px; border: 1px solid #b7c3cf; border-radius: 6px; background: #fff; }
form.stack input[type=text], form.stack input[type=password], form.stack select, form.stack textarea { width: 100%; }
textarea { min-height: 80px; }
input[type=number] { width: 90px; }
button.primary, button.danger, button.secondary { font: inherit; padding: 8px 16px; border-radius: 6px; border: 1px solid transparent; cursor: pointer; margin-top: 14px; }
button.primary { background: var(--accent); color: #fff; }
button.danger { background: var(--bad); color: #fff; }
button.secondary { background: #fff; border-color: #b7c3cf; color: var(--ink); }
.filters { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 0 0 12px; }
.filters input[type=search] { flex: 1 1 240px; min-width: 0; max-width: 420px; }
.filters button { margin-top: 0; }
.summary { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin: 0 0 16px; }
.summary div { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 10px 14px; }
.summary dt { color: var(--muted); font-size: 13px; }
.summary dd { margin: 2px 0 0; font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
p, h1 { overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.windows a[aria-current] { font-weight: 700; color: var(--ink); }
.rate { display: flex; gap: 24px; align-items: center; flex-wrap: wrap; }
.rate .big { font-size: 34px; font-weight: 700; font-variant-numeric: tabular-nums; }
.rate .good { color: var(--ok); }
.rate .atrisk { color: var(--bad); }
svg.chart { max-width: 100%; height: auto; }
svg.chart text { font: 11px system-ui, sans-serif; fill: #5d6b7a; }
tr.error td:first-child { box-shadow: inset 3px 0 0 var(--bad); }
tr.warning td:first-child { box-shadow: inset 3px 0 0 var(--warn); }
tr[hidden] { display: none; }
.item-row { display: flex; align-items: center; gap: 12px; margin: 6px 0; }
form.stack .item-row label { display: inline; margin: 0; font-weight: 400; }
fieldset { border: 1px solid var(--line); border-radius: 8px; margin: 16px 0 0; padding: 8px 14px 10px; }
legend { font-weight: 600; padding: 0 4px; }
.actions { display: flex; gap: 16px; align-items: center; margin-top: 14px; }
.actions button { margin-top: 0; }
.pager { margin: 12px 0; display: flex; gap: 12px; }
`;

const JS = `'use strict';
// Progressive enhancement only: every page works without this file.
document.addEventListener('DOMContentLoaded', function () {
  // Report table: filter rows as you type (the server filters the same way when the form is submitted).
  var filter = document.querySelector('input[data-filter-rows]');
  if (filter) {
    var table = document.getElementById(filter.getAttribute('data-filter-rows'));
    var counter = document.querySelector('[data-filter-count]');
    var apply = function () {
      var words = filter.value.toLowerCase().split(/\\s+/).filter(Boolean);
      var shown = 0;
      table.querySelectorAll('tbody tr').forEach(function (row) {
        var text = row.textContent.toLowerCase();
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        row.hidden = !match;
        if (match) shown += 1;
      });
      if (counter) counter.textContent = String(shown);
    };
    filter.addEventListener('input', apply);
  }
  // Cancel form: a quantity only matters for a ticked item.
  document.querySelectorAll('input[data-item-check]').forEach(function (box) {
    var qty = document.getElementById(box.getAttribute('data-item-check'));
    var sync = function () { if (qty) qty.disabled = !box.checked; };
    box.addEventListener('change', sync);
    sync();
  });
  // Forms that change something are sent once.
  document.querySelectorAll('form[data-once]').forEach(function (form) {
    form.addEventListener('submit', function () {
      form.querySelectorAll('button[type=submit]').forEach(function (b) { b.disabled = true; });
    });
  });
});
`;

export function registerAssets(app: FastifyInstance): void {
  app.get('/web/app.css', async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').type('text/css; charset=utf-8').send(CSS),
  );
  app.get('/web/app.js', async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').type('text/javascript; charset=utf-8').send(JS),
  );
}
