/**
 * The server key encrypts access keys' secrets at rest. MWS Signature Version 2 is an HMAC keyed with the secret
 * itself, so the server must be able to recover it: hashing alone (enough for Bearer tokens) would not do.
 * Configured as 64 hex digits, or kept in .server-key beside the private Redis data folder (the feeds folder when
 * one is configured, else the per-user data folder), created on first use, readable by its owner only.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Config } from '../core/config.js';
import { FeedError } from '../core/errors.js';

const KEY_BYTES = 32;

export async function loadServerKey(config: Config): Promise<Buffer> {
  if (config.serverKey) return Buffer.from(config.serverKey, 'hex');
  // Beside the private Redis's data (the feeds folder when one is configured), found the same from any directory.
  const path = join(dirname(config.privateRedisDir), '.server-key');
  const existing = await readKeyFile(path);
  if (existing) return existing;
  await mkdir(dirname(path), { recursive: true });
  // 'wx': when two processes start together, the second one's write fails and it reads the first one's key.
  await writeFile(path, `${randomBytes(KEY_BYTES).toString('hex')}\n`, { flag: 'wx', mode: 0o600 }).catch(
    (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    },
  );
  const created = await readKeyFile(path);
  if (!created) throw new FeedError('CLI_USAGE', { detail: `${path} does not hold a 64-hex-digit server key` });
  return created;
}

async function readKeyFile(path: string): Promise<Buffer | null> {
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null) return null;
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex))
    throw new FeedError('CLI_USAGE', { detail: `${path} does not hold a 64-hex-digit server key` });
  return Buffer.from(hex, 'hex');
}
