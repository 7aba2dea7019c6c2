import { hoppingWindows } from './hopping.js';
import { ALL_TIME, type TimeWindow } from './timeWindow.js';
import { tumblingWindow } from './tumbling.js';

/**
 * How records are put in windows. A plain data object so a pipeline spec (and the CDK app,
 * and a JSON config) can carry it.
 */
export type WindowSpec =
  | { readonly type: 'tumbling'; readonly sizeMs: number; readonly graceMs: number }
  | {
      readonly type: 'hopping';
      readonly sizeMs: number;
      readonly advanceMs: number;
      readonly graceMs: number;
    }
  | { readonly type: 'all-time' };

/** The windows a record with this event time belongs to, oldest first. */
export function windowsFor(spec: WindowSpec, timestampMs: number): TimeWindow[] {
  switch (spec.type) {
    case 'tumbling':
      return [tumblingWindow(timestampMs, spec.sizeMs)];
    case 'hopping':
      return hoppingWindows(timestampMs, spec.sizeMs, spec.advanceMs);
    case 'all-time':
      return [ALL_TIME];
  }
}

/** Grace of a window spec; the all-time mode never closes so its grace is irrelevant (0). */
export function graceMsOf(spec: WindowSpec): number {
  return spec.type === 'all-time' ? 0 : spec.graceMs;
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
  const advanceMs = spec.type === 'tumbling' ? spec.sizeMs : spec.advanceMs;
  const { sizeMs } = spec;
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
