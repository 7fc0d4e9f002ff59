// How long the fuzz tests run: briefly in `npm test` (CI) with a fixed seed, so a failure reproduces; as long
// as asked with `npm run fuzz` (FUZZ_RUNS, and FUZZ_SEED to replay a run fast-check reported).
import type { Parameters } from 'fast-check';

export function fuzzParams<T>(briefRuns: number): Parameters<T> {
  const runs = Number(process.env.FUZZ_RUNS ?? 0);
  const seed = process.env.FUZZ_SEED;
  return {
    numRuns: runs > 0 ? runs : briefRuns,
    seed: seed !== undefined ? Number(seed) : runs > 0 ? Date.now() : 0x5eed,
  };
}
