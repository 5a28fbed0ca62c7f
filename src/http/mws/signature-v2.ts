/**
 * AWS Signature Version 2 as MWS uses it: HMAC (SHA-256 or SHA-1) of
 * `METHOD \n host \n path \n canonical query`, base64. The canonical query is every parameter but `Signature`,
 * sorted by name in byte order, names and values percent-encoded per RFC 3986 and joined with `&`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MwsParameters } from './parameters.js';

export type SignatureMethod = 'HmacSHA256' | 'HmacSHA1';

const HASH_OF: Readonly<Record<SignatureMethod, string>> = { HmacSHA256: 'sha256', HmacSHA1: 'sha1' };

export const isSignatureMethod = (value: string): value is SignatureMethod => value in HASH_OF;

/** RFC 3986: only A-Z a-z 0-9 - _ . ~ stay as they are; everything else is %XX of its UTF-8 bytes, upper-case. */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function canonicalQuery(params: MwsParameters): string {
  const names = [...params.entries()].map(([name]) => name).filter((name) => name !== 'Signature');
  // Byte order of the UTF-8 names, which is what Amazon's Java and every client library sort by.
  names.sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  return names.map((name) => `${percentEncode(name)}=${percentEncode(params.get(name) ?? '')}`).join('&');
}

export interface SignedRequest {
  method: string;
  host: string;
  path: string;
  params: MwsParameters;
}

export function signatureOf(secret: string, method: SignatureMethod, request: SignedRequest): string {
  const text = [
    request.method.toUpperCase(),
    request.host.toLowerCase(),
    request.path,
    canonicalQuery(request.params),
  ].join('\n');
  return createHmac(HASH_OF[method], secret).update(text, 'utf8').digest('base64');
}

/**
 * The Host header as clients sign it: as sent, and without its port (amazon-mws signs the bare host name while
 * its request carries `host:port`).
 */
export function signedHostCandidates(hostHeader: string): string[] {
  const bare = hostHeader.replace(/:\d+$/, '');
  return bare === hostHeader ? [hostHeader] : [hostHeader, bare];
}

/** True when `given` is the signature of the request for one of the host spellings; compared in constant time. */
export function signatureMatches(
  secret: string,
  method: SignatureMethod,
  request: Omit<SignedRequest, 'host'> & { hostHeader: string },
  given: string,
): boolean {
  const givenBytes = Buffer.from(given, 'utf8');
  let matched = false;
  for (const host of signedHostCandidates(request.hostHeader)) {
    const expected = Buffer.from(signatureOf(secret, method, { ...request, host }), 'utf8');
    // Every spelling is compared, so the time taken does not tell which one (or whether one) matched.
    if (expected.length === givenBytes.length && timingSafeEqual(expected, givenBytes)) matched = true;
  }
  return matched;
}
