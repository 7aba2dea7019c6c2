/** A window of a final-results pipeline that is not final yet, as the open-windows index lists it. */
export interface OpenWindow {
  readonly key: string;
  readonly windowStartMs: number;
  /** Window end + grace: from here on no record of a partition that has passed it can change the window. */
  readonly closeAtMs: number;
}

/** A closed window's value, frozen: what its final result carries. */
export interface WindowResult {
  readonly pipeline: string;
  readonly key: string;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly count: number;
  /** `sum_*`, `min_*`, `max_*` as exact decimal strings. */
  readonly aggregates: Readonly<Record<string, string>>;
}

/**
 * The finality of aggregate items (final results, see engine/final). Three steps per window,
 * each idempotent, in this order so that nothing is lost and nothing changes after it was sent:
 * 1. `close`: a conditional write after which no aggregate write changes the item (the
 *    aggregate store's writes are conditioned on it); returns the frozen value;
 * 2. the caller sends the value to the output topic;
 * 3. `markFinal`: the exactly-once final mark, which also takes the item out of the
 *    open-windows list. A crash before it leaves the window listed, so the next pass
 *    sends it again (an identical duplicate) and marks it.
 * Kind-agnostic: any processor that writes aggregate items with a close time (windowed
 * aggregates today, sessions later) can be finalized through it.
 */
export interface FinalWindowStore {
  /** Windows of a pipeline not yet marked final whose close time is at or before `closeAtMsUpTo`, oldest first. */
  openWindows(pipeline: string, closeAtMsUpTo: number, limit: number): Promise<OpenWindow[]>;
  /**
   * Closes a window (idempotent) and reads its frozen value consistently.
   * @returns undefined when the item is gone (expired); `alreadyFinal` when another
   *   finalizer marked it already (nothing left to send)
   */
  close(
    pipeline: string,
    window: OpenWindow,
    nowMs: number,
  ): Promise<{ result: WindowResult; alreadyFinal: boolean } | undefined>;
  /** Sets the final mark once (conditional write); false when it was already set. */
  markFinal(pipeline: string, window: OpenWindow, nowMs: number): Promise<boolean>;
}
