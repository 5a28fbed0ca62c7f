/** Backpressure for a chunk reader: the consumer of what the chunks yield can hold the reading back. */

/** The chunks of `source`, each one only after `pause` (when given) has resolved. */
export async function* pausing<T>(
  source: AsyncIterable<T>,
  pause: (() => Promise<void>) | undefined,
): AsyncGenerator<T> {
  for await (const chunk of source) {
    if (pause) await pause();
    yield chunk;
  }
}
