/** A time window, epoch-aligned and half-open: [startMs, endMs). */
export interface TimeWindow {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * The single window of the unwindowed (all-time) mode. Its end is +Infinity, so it never
 * closes and no record is ever late for it.
 */
export const ALL_TIME: TimeWindow = Object.freeze({
  startMs: Number.NEGATIVE_INFINITY,
  endMs: Number.POSITIVE_INFINITY,
});

/** True for the all-time window. */
export function isAllTime(w: TimeWindow): boolean {
  return w.startMs === Number.NEGATIVE_INFINITY;
}

/** `a mod m` rounded towards -Infinity, so windows align for timestamps before 1970 too. */
export function floorMod(a: number, m: number): number {
  return ((a % m) + m) % m;
}
