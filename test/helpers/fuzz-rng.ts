/**
 * A small seeded PRNG for the fuzzer (sfc32, seeded through splitmix32): the same seed gives the same numbers
 * on every machine and Node version, unlike Math.random. Each fuzzed file has a seed of its own, derived from
 * the run's seed and the file's index, so one file can be made again without making the others.
 */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An integer in [min, max]. */
  between(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Picks by weight: `[[weight, value], …]`. */
  weighted<T>(items: ReadonlyArray<readonly [number, T]>): T;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createRng(seed: number): Rng {
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const u32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  const rng: Rng = {
    next: () => u32() / 2 ** 32,
    int: (n) => Math.floor(rng.next() * n),
    between: (min, max) => min + rng.int(max - min + 1),
    chance: (p) => rng.next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from nothing');
      return items[rng.int(items.length)] as (typeof items)[number];
    },
    weighted: (items) => {
      const total = items.reduce((sum, [w]) => sum + w, 0);
      let roll = rng.next() * total;
      for (const [w, value] of items) {
        roll -= w;
        if (roll < 0) return value;
      }
      return (items[items.length - 1] as readonly [number, (typeof items)[number][1]])[1];
    },
  };
  return rng;
}

/** The seed of file `index` in a run seeded with `runSeed`. */
export function fileSeedOf(runSeed: number, index: number): number {
  return splitmix32((runSeed ^ Math.imul(index + 1, 0x27d4eb2d)) >>> 0)();
}
