// Every random choice of the simulator comes from a seeded generator, so a test that sets `seed` sees the
// same sequence of faults, latencies and ids on every run.

import { mulberry32 } from '../../shared/prng.ts';

export { mulberry32 };

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
