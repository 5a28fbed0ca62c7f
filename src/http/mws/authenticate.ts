/**
 * Who sent an MWS request: the access key named by `AWSAccessKeyId`, proven by a Signature Version 2 signature,
 * within its time limit, not revoked, and acting for its own merchant (`SellerId` or the older `Merchant`).
 * The signature is checked before anything about the key is told, so a stranger learns only that a key exists.
 */
import { FeedError } from '../../core/errors.js';
import type { AccessKey, AccessKeyStore } from '../access-keys.js';
import type { MwsParameters } from './parameters.js';
import { isSignatureMethod, signatureMatches } from './signature-v2.js';

/** How far a request's Timestamp may be from the server's clock, either way (MWS's 15 minutes). */
export const TIMESTAMP_WINDOW_MS = 15 * 60 * 1000;

export interface IncomingSignedRequest {
  method: string;
  hostHeader: string;
  path: string;
  params: MwsParameters;
}

export async function authenticate(
  keys: AccessKeyStore,
  request: IncomingSignedRequest,
  now: Date,
): Promise<AccessKey> {
  const { params } = request;
  const accessKeyId = params.required('AWSAccessKeyId');
  const signature = params.required('Signature');
  const method = signatureMethodOf(params);
  const secret = await keys.secretFor(accessKeyId);
  const key = secret === null ? null : await keys.find(accessKeyId);
  if (secret === null || !key) throw new FeedError('HTTP_KEY_UNKNOWN', { accessKeyId });
  if (!signatureMatches(secret, method, request, signature))
    throw new FeedError('HTTP_SIGNATURE_MISMATCH', { accessKeyId });
  if (key.revokedAt) throw new FeedError('HTTP_KEY_REVOKED', { accessKeyId });
  if (key.operator) throw new FeedError('HTTP_OPERATOR_KEY', { accessKeyId });
  checkTime(params, now);
  const merchantId = params.get('SellerId') || params.get('Merchant');
  if (!merchantId) throw new FeedError('HTTP_PARAMETER_MISSING', { name: 'SellerId' });
  if (merchantId !== key.merchantId) throw new FeedError('HTTP_MERCHANT_MISMATCH', { accessKeyId, merchantId });
  return key;
}

function signatureMethodOf(params: MwsParameters): 'HmacSHA256' | 'HmacSHA1' {
  const version = params.required('SignatureVersion');
  const method = params.required('SignatureMethod');
  if (version !== '2' || !isSignatureMethod(method))
    throw new FeedError('HTTP_SIGNATURE_UNSUPPORTED', {
      given: `SignatureVersion ${version}, SignatureMethod ${method}`,
    });
  return method;
}

/** Exactly one of Timestamp (within the window) and Expires (not yet passed), as MWS requires. */
function checkTime(params: MwsParameters, now: Date): void {
  const timestamp = params.get('Timestamp');
  const expires = params.get('Expires');
  if (timestamp === undefined && expires === undefined)
    throw new FeedError('HTTP_PARAMETER_MISSING', { name: 'Timestamp' });
  if (timestamp !== undefined && expires !== undefined)
    throw new FeedError('HTTP_PARAMETER_INVALID', {
      name: 'Expires',
      value: expires,
      detail: 'give either Timestamp or Expires, not both',
    });
  if (timestamp !== undefined) {
    const at = isoDate('Timestamp', timestamp);
    if (Math.abs(at.getTime() - now.getTime()) > TIMESTAMP_WINDOW_MS)
      throw new FeedError('HTTP_TIMESTAMP_STALE', { timestamp, now: now.toISOString() });
    return;
  }
  const until = isoDate('Expires', expires as string);
  if (until.getTime() < now.getTime()) throw new FeedError('HTTP_REQUEST_EXPIRED', { expires, now: now.toISOString() });
  // As on MWS, a signed request lives at most 15 minutes: a far Expires would make one signed URL valid forever.
  if (until.getTime() - now.getTime() > TIMESTAMP_WINDOW_MS)
    throw new FeedError('HTTP_EXPIRES_TOO_FAR', { expires, now: now.toISOString() });
}

function isoDate(name: string, value: string): Date {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw new FeedError('HTTP_PARAMETER_INVALID', {
      name,
      value,
      detail: 'expected an ISO 8601 date and time, such as 2009-01-01T12:00:00Z',
    });
  }
  return date;
}
