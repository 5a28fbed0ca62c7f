/**
 * Waiting in tests, in one place: a pause, and polling a condition until a deadline. The deadline only stops a
 * test that would hang; it is never a timing assertion (speed belongs to `npm run bench`).
 */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value other than undefined; throws after `timeoutMs`, naming `what`. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 120_000,
  pollMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(pollMs);
  }
}

/** Polls `condition` until it holds (waitUntil for a yes/no question). */
export async function until(
  condition: () => Promise<boolean> | boolean,
  what = 'a condition',
  timeoutMs = 30_000,
  pollMs = 25,
): Promise<void> {
  await waitUntil(what, async () => ((await condition()) ? true : undefined), timeoutMs, pollMs);
}
