/** `Authorization: Bearer <secret key>` for the JSON API: the key's merchant, or a FeedError for the answer. */
import type { FastifyRequest } from 'fastify';
import { FeedError } from '../core/errors.js';
import type { AccessKey, AccessKeyStore } from './access-keys.js';

export async function bearerKey(keys: AccessKeyStore, request: FastifyRequest): Promise<AccessKey> {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new FeedError('HTTP_AUTH_MISSING');
  const key = await keys.findBySecret(match[1] as string);
  if (!key) throw new FeedError('HTTP_KEY_UNKNOWN');
  if (key.revokedAt) throw new FeedError('HTTP_KEY_REVOKED', { accessKeyId: key.accessKeyId });
  if (key.operator) throw new FeedError('HTTP_OPERATOR_KEY', { accessKeyId: key.accessKeyId });
  return key;
}
