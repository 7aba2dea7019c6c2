import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALL_TIME,
  allTime,
  hopping,
  hoppingWindows,
  isWindowClosed,
  tumbling,
  tumblingWindow,
  windowAssigner,
  windowsFor,
} from '../../../../shared/engine/windows/index.js';

describe('tumblingWindow', () => {
  it.each([
    [0, 5000, [0, 5000]],
    [4999, 5000, [0, 5000]],
    [5000, 5000, [5000, 10000]],
    [
      Date.parse('2020-07-01T00:07:30Z'),
      300_000,
      [Date.parse('2020-07-01T00:05:00Z'), Date.parse('2020-07-01T00:10:00Z')],
    ],
  ])('puts t=%d with size %d in the half-open window %j', (t, size, [start, end]) => {
    expect(tumblingWindow(t, size)).toEqual({ startMs: start, endMs: end });
  });
});

describe('hoppingWindows', () => {
  it.each([
    [
      4000,
      5000,
      3000,
      [
        [0, 5000],
        [3000, 8000],
      ],
    ],
    [2999, 5000, 3000, [[0, 5000]]],
    [
      3000,
      5000,
      3000,
      [
        [0, 5000],
        [3000, 8000],
      ],
    ],
    [5000, 5000, 3000, [[3000, 8000]]],
    [
      7 * 60_000,
      600_000,
      300_000,
      [
        [0, 600_000],
        [300_000, 900_000],
      ],
    ],
    // Kafka Streams starts no window before the epoch: no [-300000, 300000) for t=0.
    [0, 600_000, 300_000, [[0, 600_000]]],
    [1000, 5000, 3000, [[0, 5000]]],
    // Size not a multiple of the advance: t=5500 has left [0,5000) though it is in step 1.
    [5500, 5000, 3000, [[3000, 8000]]],
    [
      6000,
      5000,
      3000,
      [
        [3000, 8000],
        [6000, 11000],
      ],
    ],
  ])('puts t=%d (size %d, advance %d) in %j, oldest first', (t, size, advance, expected) => {
    expect(hoppingWindows(t, size, advance).map((w) => [w.startMs, w.endMs])).toEqual(expected);
  });

  it('equals tumbling when the advance equals the size', () => {
    for (const t of [0, 1, 299_999, 300_000, 1_593_563_132_000]) {
      expect(hoppingWindows(t, 300_000, 300_000)).toEqual([tumblingWindow(t, 300_000)]);
    }
  });
});

describe('isWindowClosed (Kafka Streams: closed once stream time >= end + grace)', () => {
  const w = { startMs: 0, endMs: 10_000 };
  it.each([
    [14_999, false],
    [15_000, true],
    [20_000, true],
  ])('with grace 5000 at stream time %d is %s', (streamTime, closed) => {
    expect(isWindowClosed(w, 5000, streamTime)).toBe(closed);
  });

  it('never closes the all-time window', () => {
    expect(isWindowClosed(ALL_TIME, 0, Number.MAX_SAFE_INTEGER)).toBe(false);
  });
});

describe('windowsFor', () => {
  it('gives the all-time window in the unwindowed mode', () => {
    expect(windowsFor(allTime(), 123)).toEqual([ALL_TIME]);
  });
  it('gives one window for tumbling specs', () => {
    expect(windowsFor(tumbling(1000, 0), 1500)).toEqual([{ startMs: 1000, endMs: 2000 }]);
  });
});

/**
 * An independent model of Kafka Streams' `TimeWindows.windowsFor`: every multiple of the
 * advance from 0 up to t whose window [start, start + size) holds t. Brute force on purpose.
 */
function modelWindows(t: number, size: number, advance: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let start = 0; start <= t; start += advance) if (t < start + size) out.push([start, start + size]);
  return out;
}

describe('windowAssigner (cached) agrees with the model for any size, advance and time order', () => {
  it('hopping, including sizes that are not a multiple of the advance', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 40 }),
        (a, b, times) => {
          const advance = Math.min(a, b);
          const size = Math.max(a, b);
          const assign = windowAssigner(hopping(size, advance, 0));
          for (const t of times) {
            expect(assign(t).map((w) => [w.startMs, w.endMs])).toEqual(modelWindows(t, size, advance));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('puts t=3000 and t=5500 in the same windows whether they come in one batch or two (size 5000, advance 3000)', () => {
    const together = windowAssigner(hopping(5000, 3000, 0));
    const inOne = [3000, 5500].flatMap((t) => together(t).map((w) => w.startMs));
    const inTwo = [3000, 5500].flatMap((t) =>
      windowAssigner(hopping(5000, 3000, 0))(t).map((w) => w.startMs),
    );
    expect(inOne).toEqual(inTwo);
    expect(inOne.filter((s) => s === 0)).toHaveLength(1);
  });
});
