import type { TimeWindow } from './timeWindow.js';

/**
 * Every hopping window of `sizeMs` advancing by `advanceMs` that holds `timestampMs`,
 * oldest first. Windows are epoch-aligned and half-open and, as in Kafka Streams, none starts
 * before the epoch: size 5000 with advance 3000 puts t=4000 in [0,5000) and [3000,8000), and
 * t=1000 in [0,5000) only (no [-3000,2000)).
 * @see Kafka Streams `TimeWindows.windowsFor`:
 *   `windowStart = (max(0, timestamp - size + advance) / advance) * advance`, then every start
 *   up to the timestamp. Event times before the epoch are rejected earlier (BAD_TIME).
 */
export function hoppingWindows(timestampMs: number, sizeMs: number, advanceMs: number): TimeWindow[] {
  const windows: TimeWindow[] = [];
  let startMs = Math.floor(Math.max(0, timestampMs - sizeMs + advanceMs) / advanceMs) * advanceMs;
  for (; startMs <= timestampMs; startMs += advanceMs) {
    windows.push({ startMs, endMs: startMs + sizeMs });
  }
  return windows;
}
