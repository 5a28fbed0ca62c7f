/**
 * A small per-process cache of answers that are costly to compute and may be a little old (the cancel rate):
 * each entry lives `ttlMs`, and at most `capacity` are kept (the oldest go first), so memory stays bounded
 * whatever keys clients ask for. Callers asking at the same time share one computation.
 */
export class AnswerCache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly capacity: number,
  ) {}

  get(key: string, compute: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const found = this.entries.get(key);
    if (found && now - found.at < this.ttlMs) return found.value;
    this.entries.delete(key);
    while (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    const value = compute();
    this.entries.set(key, { at: now, value });
    // A failure is not remembered: the next call computes afresh.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }
}
