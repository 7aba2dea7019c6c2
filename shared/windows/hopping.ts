import type { TimeWindow } from './timeWindow.js';
import { floorMod } from './timeWindow.js';

/**
 * Every hopping window of `sizeMs` advancing by `advanceMs` that holds `timestampMs`,
 * oldest first. Windows are epoch-aligned and half-open, as in Kafka Streams'
 * `TimeWindows.windowsFor`: size 5000 with advance 3000 puts t=4000 in [0,5000) and
 * [3000,8000).
 */
export function hoppingWindows(timestampMs: number, sizeMs: number, advanceMs: number): TimeWindow[] {
  // The latest window start at or before the timestamp, then step back while it still covers it.
  const lastStart = timestampMs - floorMod(timestampMs, advanceMs);
  const windows: TimeWindow[] = [];
  for (let start = lastStart; start > timestampMs - sizeMs; start -= advanceMs) {
    windows.push({ startMs: start, endMs: start + sizeMs });
  }
  return windows.reverse();
}
