import type { SeededRandom } from './random.js';

/** Draws items with probabilities proportional to their weights. */
export interface WeightedSampler<T> {
  readonly items: readonly T[];
  /** Probability of each item, in `items` order; sums to 1. */
  readonly probabilities: readonly number[];
  sample(random: SeededRandom): T;
}

/**
 * A sampler over `items` with the given non-negative weights (cumulative sums and a binary
 * search: O(log n) a draw, fine for the few hundred taxi zones).
 */
export function weightedSampler<T>(items: readonly T[], weights: readonly number[]): WeightedSampler<T> {
  if (items.length === 0 || items.length !== weights.length) {
    throw new RangeError(
      `need one weight per item and at least one item (items ${items.length}, weights ${weights.length})`,
    );
  }
  if (weights.some((w) => !(w >= 0) || !Number.isFinite(w)))
    throw new RangeError('weights must be finite and >= 0');
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) throw new RangeError('at least one weight must be positive');
  const cumulative: number[] = [];
  let running = 0;
  for (const w of weights) cumulative.push((running += w / total));
  return {
    items,
    probabilities: weights.map((w) => w / total),
    sample(random) {
      const u = random.float();
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((cumulative[mid] as number) > u) hi = mid;
        else lo = mid + 1;
      }
      return items[lo] as T;
    },
  };
}

/**
 * Zipf weights for ranks 1..n: weight(rank) = 1 / rank^exponent. Taxi zone popularity is
 * heavy-tailed like this (a few Midtown zones and the airports dominate), which is what makes
 * hot keys and skewed partitions show up in tests.
 * @see https://en.wikipedia.org/wiki/Zipf%27s_law
 */
export function zipfWeights(n: number, exponent: number): number[] {
  return Array.from({ length: n }, (_, i) => 1 / (i + 1) ** exponent);
}

/** A weighted choice among a few literal options, e.g. payment types. */
export function choose<T>(random: SeededRandom, options: readonly (readonly [T, number])[]): T {
  let u = random.float() * options.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, weight] of options) {
    if ((u -= weight) < 0) return value;
  }
  return (options[options.length - 1] as readonly [T, number])[0];
}
