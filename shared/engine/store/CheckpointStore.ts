import type { Gap } from './gap.js';

/**
 * Stream time after the last record of a partition in a batch, stored so the next batch
 * (or a redelivery with other boundaries) starts from exactly the stream time the first
 * pass had at that offset.
 */
export interface StreamTimeCheckpoint {
  readonly partitionId: string;
  /** Offset of the partition's last record in the batch. */
  readonly offset: number;
  /** Largest event time seen up to and including that offset; -Infinity when none. */
  readonly streamTimeMs: number;
}

/** The newest stream-time checkpoint of a partition, as read back. */
export interface Checkpoint {
  readonly offset: number;
  readonly streamTimeMs: number;
  /**
   * Wall-clock time of the write: when the partition last delivered records (final results
   * read it to tell idle partitions). Absent on checkpoints written before it was kept.
   */
  readonly updatedAtMs?: number;
  /** Gaps recorded on the partition, open and closed, by start offset. */
  readonly gaps: readonly Gap[];
}

/**
 * Per-partition stream-time checkpoints of each pipeline: written after every batch's other
 * writes, only ever moved forward, never expiring. A checkpoint at offset `c` means every
 * record up to `c` is fully applied, so a redelivery skips those records (see skipApplied).
 * Implemented by `DynamoStreamTimeStore`.
 */
export interface CheckpointStore {
  /** The checkpoint of each partition; partitions without one are left out. */
  latest(pipeline: string, partitionIds: readonly string[]): Promise<Map<string, Checkpoint>>;
  /** Moves checkpoints forward; one at or behind the stored offset is left as it is. */
  save(pipeline: string, checkpoints: readonly StreamTimeCheckpoint[]): Promise<void>;
  /**
   * Records a gap on its partition's checkpoint, before the batch that revealed it writes
   * anything (so every item write after it knows the gap). Idempotent: a gap already
   * recorded (open or closed) is left as it is.
   */
  recordGap(pipeline: string, gap: Gap): Promise<void>;
  /** Marks a gap closed (kept for the record, and so the same range is never reopened). */
  closeGap(
    pipeline: string,
    gap: Gap,
    reason: NonNullable<Gap['closedReason']>,
    nowMs: number,
  ): Promise<void>;
  /** Every gap of the pipelines whose names are given (all pipelines when none), open first. */
  listGaps(pipelines?: readonly string[]): Promise<Array<Gap & { readonly pipeline: string }>>;
}
