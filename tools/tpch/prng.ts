// Seeded pseudo-random numbers for the TPC-H generator: one small stream per order, so any order's rows can be
// regenerated on their own (change sets, checksums) without replaying the rows before it.

/** A deterministic stream of numbers in [0, 1), 32 bits of entropy each (mulberry32). */
export class Prng {
  #state: number;

  /** Starts the stream at `seed` (any 32-bit integer). */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** The next number in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** A uniform element of `items` (which must not be empty). */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

/** Mixes 32-bit words into one well-spread seed (murmur3's finaliser applied after each word). */
export function mixSeed(...words: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const w of words) {
    // Words above 2^32 (order indexes at very large scales) contribute their high part too.
    h = fmix32(h ^ fmix32((w >>> 0) ^ Math.floor(w / 4294967296)));
  }
  return h;
}

function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
