import type { AggregateStore } from './AggregateStore.js';
import type { CheckpointStore } from './CheckpointStore.js';
import type { DeadLetterStore } from './DeadLetterStore.js';
import type { FinalWindowStore } from './FinalWindowStore.js';
import type { KeyedStateStore } from './KeyedStateStore.js';
import type { ReferenceTableStore } from './ReferenceTableStore.js';
import type { SessionRowStore } from './SessionRowStore.js';

/**
 * Every store a pipeline may write, passed into the engine as one dependency. The engine and
 * its processors see only these interfaces; `createPipelineStores` (store/dynamo) builds the
 * DynamoDB ones, and a test may pass its own.
 */
export interface PipelineStores {
  readonly aggregates: AggregateStore;
  /** Closing and marking windows of final-results pipelines (the same table as `aggregates`). */
  readonly finalWindows: FinalWindowStore;
  readonly deadLetters: DeadLetterStore;
  readonly streamTimes: CheckpointStore;
  readonly state: KeyedStateStore;
  /** Rows of `table` pipelines, which enrich steps read. */
  readonly tables: ReferenceTableStore;
  /** Result rows of `session` pipelines (their hot state lives in `state`). */
  readonly sessions: SessionRowStore;
  /**
   * The clock these stores write TTLs and marks with, when it is not the system's (tests and
   * `start` pin it): processEvent hands it to the processors too, so every time a run writes
   * (session rows, final marks, join buffers) reads the same clock as the aggregates.
   */
  readonly nowMs?: () => number;
}
