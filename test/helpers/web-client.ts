/**
 * A small browser-like client for the web pages over real sockets: a cookie jar, redirects not followed (so
 * tests see them), urlencoded and multipart forms, and the CSRF token read from a page's form.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';

export interface WebAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The Location header of a redirect, else null. */
  location: string | null;
  setCookies: string[];
}

export class WebClient {
  readonly cookies = new Map<string, string>();

  constructor(readonly base: string) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private async send(path: string, init: RequestInit): Promise<WebAnswer> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', this.cookieHeader());
    const response = await fetch(`${this.base}${path}`, { ...init, headers, redirect: 'manual' });
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a));
      if (value === '' || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return {
      status: response.status,
      headers: response.headers,
      text: await response.text(),
      location: response.headers.get('location'),
      setCookies,
    };
  }

  get(path: string): Promise<WebAnswer> {
    return this.send(path, { method: 'GET' });
  }

  post(path: string, form: Record<string, string | string[]>): Promise<WebAnswer> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(form))
      for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
    return this.send(path, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  postMultipart(path: string, form: FormData): Promise<WebAnswer> {
    return this.send(path, { method: 'POST', body: form });
  }

  /** Signs in through the form; returns the answer to the POST. */
  async signIn(accessKeyId: string, secretKey: string): Promise<WebAnswer> {
    const form = await this.get('/web/sign-in');
    return this.post('/web/sign-in', { _csrf: csrfOf(form.text), accessKeyId, secretKey, next: '/web/feeds' });
  }
}

/** The value of the first `_csrf` hidden field of a page. */
export function csrfOf(page: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(page);
  if (!match) throw new Error(`no CSRF field in the page: ${page.slice(0, 300)}`);
  return match[1] as string;
}

export const SAMPLE_MERCHANT = 'A1KW3PLX9Q7ZT2';

/**
 * samples/order-report.txt with every timestamp moved by the same amount so that its latest purchase date is
 * an hour ago: the orders stay inside the cancel rate's 7-day window whenever the test runs. `edit` may change
 * the text further (e.g. a hostile SKU). Returns the path of the written copy.
 */
export function recentOrderReport(dir: string, edit: (text: string) => string = (t) => t): string {
  const text = readFileSync(join(REPO_ROOT, 'samples', 'order-report.txt'), 'utf8');
  const [header = '', ...rows] = text.split(/\r?\n/).filter((line) => line !== '');
  const column = header.split('\t').indexOf('purchase-date');
  const purchases = rows.map((row) => Date.parse(row.split('\t')[column] ?? ''));
  const shift = Date.now() - 3600_000 - Math.max(...purchases);
  const moved = text.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})/g, (stamp) =>
    new Date(Date.parse(stamp) + shift).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
  );
  const path = join(dir, 'order-report-recent.txt');
  writeFileSync(path, edit(moved));
  return path;
}
