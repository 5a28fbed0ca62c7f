/**
 * Which failures of a dropped file heal by themselves. Redis away, restarting or full, and a full disk, are the
 * system's state, not the file's: the file waits for them however long it takes (backing off), and is processed
 * once they pass. Anything else (a file that cannot be read, a bug met by one file) counts towards the attempt
 * limit after which the file goes to failed/ with a report, so that it cannot hold its merchant's lane for ever.
 */
import { isOutOfMemory } from '../apply/redis-failures.js';
import { isFeedError } from '../core/errors.js';

const REDIS_STATE =
  /Connection is closed|connect ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Stream isn't writeable|LOADING|READONLY|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|max retries per request|Command timed out/i;
const DISK_STATE = new Set(['ENOSPC', 'EDQUOT']);

export function isTransientFailure(err: unknown): boolean {
  if (isFeedError(err)) return err.code === 'QUEUE_REDIS_FULL' || err.code === 'CLI_REDIS_UNAVAILABLE';
  if (isOutOfMemory(err)) return true;
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== undefined && DISK_STATE.has(code)) return true;
  return err.name === 'MaxRetriesPerRequestError' || REDIS_STATE.test(err.message);
}
