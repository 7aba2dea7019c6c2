import { ALL_TIME, type TimeWindow } from './timeWindow.js';
import { type WindowSpec, windowKind } from './windowKinds.js';

/** The windows a record with this event time belongs to, oldest first. */
export function windowsFor(spec: WindowSpec, timestampMs: number): TimeWindow[] {
  return windowKind(spec).windowsFor(spec, timestampMs);
}

/** Grace of a window spec; the all-time mode never closes so its grace is irrelevant (0). */
export function graceMsOf(spec: WindowSpec): number {
  return windowKind(spec).graceMs(spec);
}

/** Tumbling windows of `sizeMs` with `graceMs` grace. */
export function tumbling(sizeMs: number, graceMs: number): WindowSpec {
  return { type: 'tumbling', sizeMs, graceMs };
}

/** Hopping windows of `sizeMs` advancing by `advanceMs`, with `graceMs` grace. */
export function hopping(sizeMs: number, advanceMs: number, graceMs: number): WindowSpec {
  return { type: 'hopping', sizeMs, advanceMs, graceMs };
}

/** The unwindowed mode: one all-time aggregate per key. */
export function allTime(): WindowSpec {
  return { type: 'all-time' };
}

/**
 * A `windowsFor` with a one-entry cache: consecutive records of a partition mostly fall in
 * the same windows, so the hot loop reuses the last (frozen) array instead of allocating.
 *
 * The window set of a time t is fixed by two numbers: the newest start at or before t,
 * `floor(t / advance)`, and the oldest start still covering t, one step after
 * `floor((t - size) / advance)`. The cache is keyed on both. (Keying on the first alone holds
 * only when the size is a multiple of the advance: with size 5000 and advance 3000, t=3000
 * is in [0,5000) and t=5500 is not, though both are in step 1.)
 */
export function windowAssigner(spec: WindowSpec): (timestampMs: number) => readonly TimeWindow[] {
  if (spec.type === 'all-time') {
    const all = Object.freeze([ALL_TIME]);
    return () => all;
  }
  const kind = windowKind(spec);
  const advanceMs = kind.stepMs(spec)!;
  const sizeMs = kind.sizeMs(spec);
  let cachedNewest = Number.NaN;
  let cachedOldest = Number.NaN;
  let cached: readonly TimeWindow[] = [];
  return (timestampMs) => {
    const newest = Math.floor(timestampMs / advanceMs);
    const oldest = Math.floor((timestampMs - sizeMs) / advanceMs);
    if (newest !== cachedNewest || oldest !== cachedOldest) {
      cached = Object.freeze(windowsFor(spec, timestampMs));
      cachedNewest = newest;
      cachedOldest = oldest;
    }
    return cached;
  };
}
