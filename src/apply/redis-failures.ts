/** Redis errors the pipeline tells apart. */

/** Redis at its maxmemory with noeviction, refusing writes. */
export function isOutOfMemory(err: unknown): boolean {
  return err instanceof Error && err.name === 'ReplyError' && /^OOM\b|OOM command not allowed/.test(err.message);
}
