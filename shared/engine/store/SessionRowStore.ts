import type { AggregationSpec } from '../aggregate/index.js';
import type { Session } from '../processors/session/sessionState.js';

/** What a session pipeline's rows need to know of its spec. */
export interface SessionRowsSpec {
  readonly name: string;
  readonly aggregations: readonly AggregationSpec[];
  readonly retentionMs?: number;
}

/**
 * The result rows of session pipelines: one per (pipeline, key, session start), derived
 * from the key's hot state. Every write carries the version of the hot state it was derived
 * from and lands only if the stored row is not newer, so a delayed writer of an older state
 * never overwrites a newer one. A merged-away session's row becomes a deletion marker
 * (not a missing item) for the same reason: a stale writer could otherwise create it anew.
 * Implemented by `DynamoSessionRowStore` on the aggregates table.
 */
export interface SessionRowStore {
  /**
   * Writes the rows of `sessions` and marks the rows at `deletedStarts` deleted, all as of
   * hot-state `version`. Resolves to the number of rows that landed.
   */
  write(
    spec: SessionRowsSpec,
    key: string,
    version: number,
    sessions: readonly Session[],
    deletedStarts: readonly number[],
    nowMs: number,
  ): Promise<number>;
  /**
   * The live rows of a key with start <= `maxStartMs` and end >= `minEndMs`, newest first
   * (sessions of a key never overlap, so the scan stops at the first row ending earlier).
   * Rows whose start is in `skipStarts` are the caller's own (still held) and neither
   * returned nor a reason to stop.
   */
  liveRows(
    spec: SessionRowsSpec,
    key: string,
    maxStartMs: number,
    minEndMs: number,
    skipStarts: ReadonlySet<number>,
  ): Promise<Session[]>;
}
