import { describe, expect, it } from 'vitest';
import {
  ALL_TIME,
  allTime,
  hoppingWindows,
  isWindowClosed,
  tumbling,
  tumblingWindow,
  windowsFor,
} from '../../../shared/windows/index.js';

describe('tumblingWindow', () => {
  it.each([
    [0, 5000, [0, 5000]],
    [4999, 5000, [0, 5000]],
    [5000, 5000, [5000, 10000]],
    [-1, 5000, [-5000, 0]],
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
    [
      0,
      600_000,
      300_000,
      [
        [-300_000, 300_000],
        [0, 600_000],
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
