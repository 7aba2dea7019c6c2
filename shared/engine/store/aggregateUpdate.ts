import { type AggregateState, type AggregationSpec, cloneState, combine } from '../aggregate/index.js';
import type { TimeWindow } from '../windows/index.js';

/*
 * The shape of an aggregate write, owned by the engine: the windowed-aggregate processor
 * produces these, and an AggregateStore implementation applies them.
 */

/** One partition's share of an item update: which offsets it covers and what they add. */
export interface PartitionContribution {
  readonly partitionId: string;
  /** Offsets of the records that contribute, ascending. */
  readonly offsets: readonly number[];
  /** `states[i]` is what `offsets[i]` adds (parallel arrays: no object per record in the hot loop). */
  readonly states: readonly AggregateState[];
  /** The combined state of all of them. */
  readonly total: AggregateState;
}

/** Everything a batch adds to one (key, window) item. */
export interface ItemUpdate {
  readonly key: string;
  readonly window: TimeWindow;
  readonly partitions: ReadonlyMap<string, PartitionContribution>;
}

/**
 * What an item update adds once the offsets the item has already applied are removed.
 * `appliedThrough` maps partition id to the highest offset already in the item.
 * @returns the remaining state and, per partition, the new high-water mark; null when
 *   everything was applied before (a pure redelivery).
 */
export function remainingContribution(
  update: ItemUpdate,
  appliedThrough: ReadonlyMap<string, number>,
  aggs: readonly AggregationSpec[],
): { state: AggregateState; highWaterMarks: Map<string, number> } | null {
  let state: AggregateState | null = null;
  const highWaterMarks = new Map<string, number>();
  for (const [pid, c] of update.partitions) {
    const done = appliedThrough.get(pid) ?? Number.NEGATIVE_INFINITY;
    for (let i = 0; i < c.offsets.length; i++) {
      const offset = c.offsets[i]!;
      if (offset <= done) continue;
      const s = c.states[i]!;
      state = state === null ? cloneState(s) : combine(state, s, aggs);
      highWaterMarks.set(pid, offset);
    }
  }
  return state === null ? null : { state, highWaterMarks };
}
