import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/**
 * The only source of randomness of the ride generator. Everything drawn from one seeded
 * instance, in a fixed order, so the same seed gives byte-identical output on every machine
 * and Node version (Math.random cannot be seeded).
 */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  float(): number;
  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** Standard normal (mean 0, standard deviation 1). */
  normal(): number;
  /** Exponential with the given mean (gaps of a Poisson process). */
  exponential(mean: number): number;
  /** An element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T;
}

/**
 * A seeded generator backed by pure-rand's xoroshiro128+ (fast-check's own PRNG; the
 * recommended one of that library). A string seed is hashed to 32 bits, so `--seed demo`
 * works as well as `--seed 42`.
 */
export function seededRandom(seed: number | string): SeededRandom {
  const rng = xoroshiro128plus(seedToInt(seed));
  const float = (): number => uniformFloat64(rng);
  return {
    float,
    int: (min, max) => uniformInt(rng, min, max),
    chance: (p) => float() < p,
    normal: () => {
      // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
      const u = 1 - float();
      const v = float();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    exponential: (mean) => -mean * Math.log(1 - float()),
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty array');
      return items[uniformInt(rng, 0, items.length - 1)] as (typeof items)[number];
    },
  };
}

/**
 * A 32-bit integer seed: integers as given (wrapped to 32 bits), anything else through
 * FNV-1a, a well-known tiny string hash (no library needed for eight lines).
 */
export function seedToInt(seed: number | string): number {
  if (typeof seed === 'number') {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
    return Math.trunc(seed) | 0;
  }
  if (/^-?\d+$/.test(seed.trim())) return Number(seed.trim()) | 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    hash ^= seed.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}
