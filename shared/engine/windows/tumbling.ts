import type { TimeWindow } from './timeWindow.js';
import { floorMod } from './timeWindow.js';

/**
 * The one tumbling window of `sizeMs` holding `timestampMs`, aligned to the epoch.
 * @see Kafka Streams `TimeWindows.ofSizeWithNoGrace(size)` (a hopping window whose advance equals its size)
 */
export function tumblingWindow(timestampMs: number, sizeMs: number): TimeWindow {
  const startMs = timestampMs - floorMod(timestampMs, sizeMs);
  return { startMs, endMs: startMs + sizeMs };
}
