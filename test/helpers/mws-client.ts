/**
 * A small MWS client for tests, written from the Signature Version 2 description and independent of the
 * server's code: it signs parameters, sends them over a real socket (node:http, so the Host header can be
 * chosen) and parses the XML answer.
 */
import { createHash, createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { XMLParser } from 'fast-xml-parser';
import { sleep } from './wait.js';

export interface MwsKey {
  accessKeyId: string;
  secretKey: string;
  merchantId: string;
}

export interface SignOptions {
  method?: 'GET' | 'POST';
  /** The host that goes into the string to sign (default `127.0.0.1:<port>`, what the request's Host says). */
  signHost?: string;
  path?: string;
  signatureMethod?: 'HmacSHA256' | 'HmacSHA1';
  timestamp?: Date;
  /** Signed with Expires instead of Timestamp. */
  expires?: Date;
}

/** RFC 3986 percent-encoding of the UTF-8 bytes: only A-Z a-z 0-9 - _ . ~ are left as they are. */
export function rfc3986(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The parameters with AWSAccessKeyId, SignatureVersion, SignatureMethod, Timestamp (or Expires) and Signature added. */
export function sign(
  key: Pick<MwsKey, 'accessKeyId' | 'secretKey'>,
  port: number,
  params: Record<string, string>,
  options: SignOptions = {},
): Record<string, string> {
  const method = options.signatureMethod ?? 'HmacSHA256';
  const all: Record<string, string> = {
    ...params,
    AWSAccessKeyId: key.accessKeyId,
    SignatureVersion: '2',
    SignatureMethod: method,
  };
  if (options.expires) all['Expires'] = options.expires.toISOString();
  else all['Timestamp'] = (options.timestamp ?? new Date()).toISOString();
  const canonical = Object.keys(all)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => `${rfc3986(name)}=${rfc3986(all[name] as string)}`)
    .join('&');
  const text = [
    options.method ?? 'GET',
    options.signHost ?? `127.0.0.1:${port}`,
    options.path ?? '/Feeds/2009-01-01',
    canonical,
  ].join('\n');
  all['Signature'] = createHmac(method === 'HmacSHA1' ? 'sha1' : 'sha256', key.secretKey)
    .update(text)
    .digest('base64');
  return all;
}

export const encodeParams = (params: Record<string, string>): string =>
  Object.entries(params)
    .map(([name, value]) => `${rfc3986(name)}=${rfc3986(value)}`)
    .join('&');

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

export function send(
  port: number,
  options: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: options.method, path: options.path, headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const parser = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  isArray: (name) => name === 'FeedSubmissionInfo',
});

export interface MwsAnswer extends RawAnswer {
  xml: Record<string, unknown>;
}

/** Parses an XML answer; `result` is `{Action}Response/{Action}Result`, `error` the ErrorResponse's Error. */
export function parseAnswer(raw: RawAnswer): MwsAnswer {
  return { ...raw, xml: parser.parse(raw.text) as Record<string, unknown> };
}

export interface FeedInfo {
  FeedSubmissionId: string;
  FeedType?: string;
  SubmittedDate: string;
  FeedProcessingStatus: string;
  StartedProcessingDate?: string;
  CompletedProcessingDate?: string;
}

export function resultOf(
  answer: MwsAnswer,
  action: string,
): Record<string, unknown> & { FeedSubmissionInfo?: FeedInfo[] } {
  const response = answer.xml[`${action}Response`] as Record<string, unknown> | undefined;
  if (!response) throw new Error(`no ${action}Response in ${answer.status} ${answer.text}`);
  return response[`${action}Result`] as Record<string, unknown> & { FeedSubmissionInfo?: FeedInfo[] };
}

export function errorOf(answer: MwsAnswer): { Type: string; Code: string; Message: string } {
  const response = answer.xml['ErrorResponse'] as
    { Error: { Type: string; Code: string; Message: string } } | undefined;
  if (!response) throw new Error(`no ErrorResponse in ${answer.status} ${answer.text}`);
  return response.Error;
}

export const md5Base64 = (body: string | Buffer): string => createHash('md5').update(body).digest('base64');

/** A signed MWS call the way most clients make one: everything in the query string. */
export class MwsTestClient {
  constructor(
    readonly port: number,
    readonly key: MwsKey,
  ) {}

  async call(
    action: string,
    params: Record<string, string> = {},
    options: SignOptions & { body?: string | Buffer; headers?: Record<string, string> } = {},
  ): Promise<MwsAnswer> {
    const method = options.method ?? (action === 'SubmitFeed' ? 'POST' : 'GET');
    const path = options.path ?? '/Feeds/2009-01-01';
    const signed = sign(
      this.key,
      this.port,
      { Action: action, Version: '2009-01-01', SellerId: this.key.merchantId, ...params },
      { ...options, method, path },
    );
    return parseAnswer(
      await send(this.port, {
        method,
        path: `${path}?${encodeParams(signed)}`,
        headers: options.headers ?? {},
        body: options.body ?? '',
      }),
    );
  }

  async submit(feedType: string, feed: string, extra: Record<string, string> = {}): Promise<FeedInfo> {
    const answer = await this.call(
      'SubmitFeed',
      { FeedType: feedType, ContentMD5Value: md5Base64(feed), ...extra },
      { body: feed, headers: { 'content-type': 'text/xml' } },
    );
    const info = resultOf(answer, 'SubmitFeed').FeedSubmissionInfo?.[0];
    if (!info) throw new Error(`SubmitFeed answered ${answer.status} ${answer.text}`);
    return info;
  }

  async info(feedId: string): Promise<FeedInfo> {
    const answer = await this.call('GetFeedSubmissionList', { 'FeedSubmissionIdList.Id.1': feedId });
    const info = resultOf(answer, 'GetFeedSubmissionList').FeedSubmissionInfo?.[0];
    if (!info) throw new Error(`feed ${feedId} not listed: ${answer.text}`);
    return info;
  }

  /** Polls GetFeedSubmissionList until the feed is `_DONE_` (or `_CANCELLED_`). */
  async waitDone(feedId: string): Promise<FeedInfo> {
    for (;;) {
      const info = await this.info(feedId);
      if (info.FeedProcessingStatus === '_DONE_' || info.FeedProcessingStatus === '_CANCELLED_') return info;
      await sleep(300);
    }
  }
}
