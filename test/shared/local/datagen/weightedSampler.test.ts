import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  choose,
  seededRandom,
  seedToInt,
  weightedSampler,
  zipfWeights,
} from '../../../../shared/local/datagen/index.js';

describe('seededRandom', () => {
  it('repeats its sequence for the same seed', () => {
    const a = seededRandom(99);
    const b = seededRandom(99);
    expect(Array.from({ length: 20 }, () => a.float())).toEqual(Array.from({ length: 20 }, () => b.float()));
  });

  it('draws floats in [0, 1) and integers within inclusive bounds', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: -50, max: 50 }),
        fc.integer({ min: 0, max: 20 }),
        (seed, lo, width) => {
          const random = seededRandom(seed);
          for (let i = 0; i < 50; i++) {
            const f = random.float();
            expect(f).toBeGreaterThanOrEqual(0);
            expect(f).toBeLessThan(1);
            const n = random.int(lo, lo + width);
            expect(n).toBeGreaterThanOrEqual(lo);
            expect(n).toBeLessThanOrEqual(lo + width);
          }
        },
      ),
    );
  });

  it('hashes text seeds to a stable 32-bit integer', () => {
    expect(seedToInt('demo')).toBe(seedToInt('demo'));
    expect(seedToInt('demo')).not.toBe(seedToInt('demp'));
    expect(seedToInt('123')).toBe(123);
    expect(Number.isInteger(seedToInt('any text at all'))).toBe(true);
  });

  it('has exponential gaps with the requested mean', () => {
    const random = seededRandom(3);
    const n = 20_000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += random.exponential(500);
    expect(sum / n).toBeGreaterThan(480);
    expect(sum / n).toBeLessThan(520);
  });
});

describe('weightedSampler', () => {
  it('samples each item in proportion to its weight', () => {
    const sampler = weightedSampler(['a', 'b', 'c'], [1, 2, 7]);
    const random = seededRandom(1);
    const n = 30_000;
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < n; i++) counts[sampler.sample(random) as 'a' | 'b' | 'c']++;
    expect(counts.a / n).toBeCloseTo(0.1, 1);
    expect(counts.b / n).toBeCloseTo(0.2, 1);
    expect(counts.c / n).toBeCloseTo(0.7, 1);
  });

  it('never samples an item of weight 0', () => {
    const sampler = weightedSampler(['never', 'always'], [0, 1]);
    const random = seededRandom(5);
    for (let i = 0; i < 1000; i++) expect(sampler.sample(random)).toBe('always');
  });

  it('normalises probabilities to sum to 1', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.001, max: 1000, noNaN: true }), { minLength: 1, maxLength: 50 }),
        (w) => {
          const total = weightedSampler(w, w).probabilities.reduce((a, b) => a + b, 0);
          expect(total).toBeCloseTo(1, 9);
        },
      ),
    );
  });

  it.each([
    [[], [], /at least one item/],
    [['a'], [1, 2], /one weight per item/],
    [['a'], [-1], /finite and >= 0/],
    [['a', 'b'], [0, 0], /at least one weight must be positive/],
  ] as const)('rejects items %j with weights %j', (items, weights, message) => {
    expect(() => weightedSampler(items, weights)).toThrow(message);
  });
});

describe('zipfWeights and choose', () => {
  it('gives rank k the weight 1/k^s', () => {
    expect(zipfWeights(4, 1)).toEqual([1, 1 / 2, 1 / 3, 1 / 4]);
    expect(zipfWeights(3, 0)).toEqual([1, 1, 1]);
  });

  it('chooses among weighted options in proportion', () => {
    const random = seededRandom(11);
    const n = 20_000;
    let hits = 0;
    for (let i = 0; i < n; i++) {
      if (
        choose(random, [
          ['x', 3],
          ['y', 1],
        ]) === 'x'
      )
        hits++;
    }
    expect(hits / n).toBeCloseTo(0.75, 1);
  });
});
