import type { DecodedRecord } from '../decode/decodedRecord.js';
import type { RecordSink } from '../output/RecordSink.js';
import type { StreamTimeCheckpoint } from '../store/CheckpointStore.js';
import type { Gap } from '../store/gap.js';
import type { PipelineStores } from '../store/PipelineStores.js';
import type { DeadLetter } from './deadLetter.js';
import type { BasePipelineSpec } from './pipelineSpec.js';

/** Counts for logs and metrics. Per delivery: a redelivered batch is counted again. */
export interface BatchStats {
  records: number;
  /** Taken into the pipeline's output (applied to at least one window, for aggregations). */
  aggregated: number;
  /** Dropped by the spec's filter (not dead letters: the pipeline does not want them). */
  filtered: number;
  /** Taken nowhere because every window (or join, session...) they belonged to had closed. */
  late: number;
  /** (record, window) pairs dropped because that window had closed; >= late. */
  lateWindows: number;
  invalid: number;
}

/** What a processor wrote for one batch, for logs and metrics. */
export interface WriteCounts {
  /** Writes of outputs (items, state entries), however made. */
  readonly itemWrites: number;
  /** Conditional writes that lost to another writer and were redone. */
  readonly conflicts: number;
  /** Outputs whose whole contribution an earlier delivery had applied. */
  readonly alreadyApplied: number;
  /** Kind-specific detail (windowed aggregates: fastWrites, slowWrites, reads). */
  readonly [detail: string]: number;
}

/** What a processor is handed for one pipeline and one event. */
export interface ProcessorInput<S extends BasePipelineSpec> {
  readonly spec: S;
  /**
   * Records per partition, in offset order, that no completed earlier delivery applied
   * (see skipApplied); decoded with the pipeline's codec, failures as values.
   */
  readonly groups: ReadonlyArray<ReadonlyArray<DecodedRecord>>;
  /** Stream time per partition id before its first record here; absent = none yet. */
  readonly startStreamTimes: ReadonlyMap<string, number>;
  /**
   * Open gaps per partition id (ranges the mapping gave up on; see store/gap). A processor
   * whose outputs keep per-partition offset marks records, per item it writes, how far the
   * item had applied each gap, so recovery can apply the rest exactly. Absent: none.
   */
  readonly openGaps?: ReadonlyMap<string, readonly Gap[]>;
  readonly stores: PipelineStores;
  /** Where records for Kafka topics go; absent when the handler writes no topic. */
  readonly sink?: RecordSink | undefined;
  /** The clock for TTLs (tests pin it). */
  readonly nowMs: () => number;
}

/**
 * What a processor did. It has written its own outputs (items, state, topics) before
 * returning; the engine then writes `deadLetters` and, last, `checkpoints`, so a crash
 * anywhere leaves a state the retry completes.
 */
export interface ProcessorResult {
  readonly stats: BatchStats;
  readonly deadLetters: readonly DeadLetter[];
  readonly checkpoints: readonly StreamTimeCheckpoint[];
  readonly writes: WriteCounts;
  /** Distinct outputs touched (for aggregations: (key, window) items). */
  readonly items: number;
}

/**
 * One kind of pipeline, as Kafka Streams has one processor per operation
 * (`KStreamWindowAggregate`, `KStreamSessionWindowAggregate`, `KStreamKStreamJoin`). The
 * engine decodes, skips what was applied and hands each pipeline to the processor of its
 * `kind`; the processor must make its own writes idempotent under redelivery with other
 * batch boundaries and concurrent invocations of other partitions.
 */
export interface Processor<S extends BasePipelineSpec = BasePipelineSpec> {
  readonly kind: S['kind'];
  /** Validates a spec of this kind: one message per problem, naming the field. */
  validate(spec: S): string[];
  process(input: ProcessorInput<S>): Promise<ProcessorResult>;
  /**
   * Runs after the engine wrote the batch's checkpoints, when a pipeline's progress may let
   * it emit something (final results: the watermark may have moved). Must be idempotent: a
   * failure fails the invocation, and the redelivery (whose records are all skipped as
   * applied) runs it again.
   * @returns counts merged into the outcome's writes
   */
  afterCheckpoints?(
    input: Pick<ProcessorInput<S>, 'spec' | 'stores' | 'sink' | 'nowMs'>,
  ): Promise<Readonly<Record<string, number>>>;
}
