/**
 * Telling a poison message from a passing failure. A ledger script that raises an error on a message (a Lua
 * runtime error, WRONGTYPE on a damaged key) will raise it again however often it runs: running it again only
 * blocks the partition and, once the job's attempts are used up, leaves the feed unfinished. Redis refusing
 * to run anything for now (out of memory, busy, loading, read-only, …) and lost connections pass: those are
 * retried.
 */

/** Replies of a Redis that cannot run the script right now; anything else from a script is the message's. */
const PASSING = /^(OOM|BUSY|LOADING|READONLY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|NOSCRIPT|MISCONF|NOREPLICAS|EXECABORT|MOVED|ASK)\b|OOM command not allowed/;

/** True for an error a ledger script raised on a message that will fail the same way every time. */
export function isPoisonError(err: unknown): boolean {
  if (!(err instanceof Error) || err.name !== 'ReplyError') return false; // connection lost, timeouts: passing
  return !PASSING.test(err.message);
}

/** The one line of a script error worth reporting: the Lua position and message, without the script's SHA. */
export function poisonDetail(err: Error): string {
  const text = err.message.replace(/\s*script: \w+, on @user_script:\d+\.?\s*$/, '').replace(/^ERR\s+/, '');
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Redis at its maxmemory with noeviction, refusing writes. */
export function isOutOfMemory(err: unknown): boolean {
  return err instanceof Error && err.name === 'ReplyError' && /^OOM\b|OOM command not allowed/.test(err.message);
}
