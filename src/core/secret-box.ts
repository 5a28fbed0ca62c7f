/** AES-256-GCM sealing of access-key secrets with the server key; the access key id is bound in as associated data. */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export function seal(serverKey: Buffer, secret: string, accessKeyId: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', serverKey, iv);
  cipher.setAAD(Buffer.from(accessKeyId));
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

/** Null when the sealed value was made with another server key or was tampered with. */
export function unseal(serverKey: Buffer, sealed: string, accessKeyId: string): string | null {
  const raw = Buffer.from(sealed, 'base64');
  if (raw.length <= IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', serverKey, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(accessKeyId));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
