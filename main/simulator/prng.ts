// Every random choice of the simulator comes from a seeded generator, so a test that sets `seed` sees the
// same sequence of faults, latencies and ids on every run.

/** mulberry32: tiny, fast, and good enough for picking faults (not for anything secret). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** True with probability `p`; draws nothing when the answer is certain, so a fault left at 0 does not
   *  shift the sequence of the others. */
  chance(p: number): boolean;
  /** Uniform in [min, max]. */
  between(min: number, max: number): number;
  /** `digits` lowercase hex characters. */
  hex(digits: number): string;
}

export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  return {
    next,
    chance: (p) => (p <= 0 ? false : p >= 1 ? true : next() < p),
    between: (min, max) => min + (max - min) * next(),
    hex: (digits) => {
      let out = '';
      while (out.length < digits)
        out += Math.floor(next() * 0x100000000)
          .toString(16)
          .padStart(8, '0');
      return out.slice(0, digits);
    },
  };
}
