/**
 * The stores the engine writes, as interfaces it owns, and the table design. The DynamoDB
 * implementations are in `./dynamo` (the engine's processors import only this module).
 */
export type { AggregateStore, ApplyCounts, ApplyResult, RefusedUpdate } from './AggregateStore.js';
export { type ItemUpdate, type PartitionContribution, remainingContribution } from './aggregateUpdate.js';
export type { Checkpoint, CheckpointStore, StreamTimeCheckpoint } from './CheckpointStore.js';
export type { DeadLetterStore } from './DeadLetterStore.js';
export type { FinalWindowStore, OpenWindow, WindowResult } from './FinalWindowStore.js';
export type { KeyedStateStore, StateEntry } from './KeyedStateStore.js';
export type { PipelineStores } from './PipelineStores.js';
export type { ReferenceTableStore, TableRow, TableRowWrite } from './ReferenceTableStore.js';
export type { SessionRowStore, SessionRowsSpec } from './SessionRowStore.js';
export {
  AGGREGATES_TABLE,
  ALL_TABLES,
  aggregatePk,
  DEAD_LETTER_TABLE,
  highWaterAttribute,
  OPEN_WINDOWS_INDEX,
  STATE_TABLE,
  type TableDesign,
  windowSortKey,
} from './tableDesign.js';
export { type TableNames, tableNamesFromEnv } from './tableNames.js';
