import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  combine,
  decimalToScaled,
  scaledToDecimal,
  toScaled,
} from '../../../../shared/engine/aggregate/index.js';

describe('scaled decimals', () => {
  it.each([
    [1.005, 2, 101],
    [0.285, 2, 29],
    [-24.8, 2, -2480],
    [2.36, 2, 236],
    [0, 2, 0],
  ])('scales %d to %d decimals as %d', (v, scale, expected) => {
    expect(toScaled(v, scale)).toBe(expected);
  });

  it.each([
    [1234, 2, '12.34'],
    [-5, 2, '-0.05'],
    [100, 2, '1'],
    [0, 2, '0'],
    [7, 0, '7'],
  ])('formats %d at scale %d as %s', (v, scale, expected) => {
    expect(scaledToDecimal(v, scale)).toBe(expected);
  });

  it('round-trips any cent amount through its decimal string', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (cents) => {
        expect(decimalToScaled(scaledToDecimal(cents, 2), 2)).toBe(cents);
      }),
    );
  });
});

describe('combine', () => {
  const aggs = [
    { op: 'sum' as const, field: 'x' },
    { op: 'min' as const, field: 'x' },
    { op: 'max' as const, field: 'x' },
  ];
  const state = fc.record({
    count: fc.integer({ min: 0, max: 100 }),
    values: fc.record({ sum_x: fc.integer(), min_x: fc.integer(), max_x: fc.integer() }),
  });
  it('is associative and commutative, so batches can be pre-aggregated in any grouping', () => {
    fc.assert(
      fc.property(state, state, state, (a, b, c) => {
        const clone = (s: typeof a) => ({ count: s.count, values: { ...s.values } });
        const left = combine(combine(clone(a), b, aggs), c, aggs);
        const right = combine(clone(a), combine(clone(c), b, aggs), aggs);
        expect(left).toEqual(right);
      }),
    );
  });
});

describe('toScaled fast path', () => {
  const careful = (v: number, scale: number) => {
    const s = Number((v * 10 ** scale).toPrecision(15));
    return Math.sign(s) * Math.round(Math.abs(s));
  };
  it('gives back the cents of every amount written with two decimals', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), (cents) => {
        expect(toScaled(cents / 100, 2)).toBe(cents);
      }),
    );
  });
  it('agrees with the careful decimal rounding on any double', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.integer({ min: 0, max: 4 }),
        (v, scale) => {
          expect(toScaled(v, scale)).toBe(careful(v, scale) + 0);
        },
      ),
      { numRuns: 5000 },
    );
  });
});
