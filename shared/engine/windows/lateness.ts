import type { TimeWindow } from './timeWindow.js';

/**
 * True when a window is closed for a record: its end plus grace is at or before stream time.
 * @see Kafka Streams: a window accepts records until stream time >= window end + grace
 *   (`KStreamWindowAggregate`: `windowEnd > observedStreamTime - closeTime` is accepted).
 */
export function isWindowClosed(window: TimeWindow, graceMs: number, streamTimeMs: number): boolean {
  return window.endMs + graceMs <= streamTimeMs;
}

/**
 * Stream time before any record: lower than every timestamp, so nothing is late on the
 * first record of a partition.
 */
export const NO_STREAM_TIME = Number.NEGATIVE_INFINITY;
