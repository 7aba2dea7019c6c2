import type { WindowedAggregateSpec } from '../processors/windowedAggregate/windowedAggregateSpec.js';
import type { ItemUpdate } from './aggregateUpdate.js';
import type { Gap } from './gap.js';

/** Write and read counts of one {@link AggregateStore.applyUpdates} call. */
export interface ApplyCounts {
  /** Items written with one conditional UpdateItem (the common case). */
  fastWrites: number;
  /** Items written with a read-modify-write (overlap with an earlier delivery, or min/max). */
  slowWrites: number;
  /** Conditional writes that failed and were redone (each still costs a write unit). */
  conflicts: number;
  reads: number;
  /** Items whose whole contribution had been applied by an earlier delivery. */
  alreadyApplied: number;
}

/**
 * An update the store did not apply because its window was closed for final results (see
 * FinalWindowStore): the records of `update` above `appliedThrough` (per partition) are
 * not in the item and never will be; the processor dead-letters them (`WINDOW_FINAL`).
 */
export interface RefusedUpdate {
  readonly update: ItemUpdate;
  readonly appliedThrough: ReadonlyMap<string, number>;
}

/** What {@link AggregateStore.applyUpdates} did. */
export interface ApplyResult {
  readonly counts: ApplyCounts;
  /** Updates of closed windows (only pipelines with `final` have closed windows). */
  readonly refused: readonly RefusedUpdate[];
}

/**
 * Where windowed aggregates live. The contract the engine relies on: applying the same
 * update twice, or an update that overlaps one applied before (a redelivery with other
 * batch boundaries), changes nothing the second time; updates of different partitions may
 * arrive concurrently; once a window is closed for final results, nothing changes it (its
 * updates come back as refused). Implemented by `DynamoAggregateStore` (per-partition offset marks).
 */
export interface AggregateStore {
  /**
   * Applies every update of a batch; rejects (so the batch is retried) if any fails. With
   * `openGaps`, each item written also keeps, per open gap of a contributing partition, how
   * far it had applied that gap before this write (in the same conditional write).
   */
  applyUpdates(
    spec: WindowedAggregateSpec,
    updates: readonly ItemUpdate[],
    openGaps?: ReadonlyMap<string, readonly Gap[]>,
  ): Promise<ApplyResult>;
  /**
   * Applies a gap's records (one partition's, planned from the gap's stream time), skipping
   * per item what the item already had of the gap, and moving the item's gap mark instead of
   * its high-water mark. Idempotent, and safe beside normal batches on the same items. A
   * window closed for final results is not changed: its update comes back as refused, so
   * the gap's records for it are dead-lettered (`WINDOW_FINAL`) like late arrivals.
   */
  applyGapUpdates(
    spec: WindowedAggregateSpec,
    gap: Gap,
    updates: readonly ItemUpdate[],
  ): Promise<ApplyResult>;
}
