/**
 * The engine's front door: pipeline specs, `processEvent` (decode -> skip applied -> the
 * processor of each pipeline's kind -> dead letters -> checkpoints) and spec validation.
 */
export { type DecodedRecord, decodeGroups } from '../decode/decodedRecord.js';
export {
  type BatchPlan,
  isSession,
  isWindowedAggregate,
  PROCESSORS,
  planBatch,
  processorFor,
  type RouteSpec,
  type SessionSpec,
  type TableSpec,
  type WindowedAggregateSpec,
  windowedAggregateSchema,
} from '../processors/index.js';
export {
  type ItemUpdate,
  type PartitionContribution,
  remainingContribution,
} from '../store/aggregateUpdate.js';
export type { Checkpoint, StreamTimeCheckpoint } from '../store/CheckpointStore.js';
export {
  type DeadLetter,
  invalidDeadLetter,
  lateDeadLetter,
  MAX_DEAD_LETTER_VALUE_BYTES,
} from './deadLetter.js';
export { type FieldCondition, type FilterSpec, matchesFilter, toEsmFilterPattern } from './filterSpec.js';
export { handlerOnTopic } from './handlerOnTopic.js';
export {
  type BasePipelineSpec,
  basePipelineSchema,
  DEFAULT_RETENTION_MS,
  type HandlerSpec,
  type KeySpec,
  type PipelineSpec,
  type TimeSpec,
} from './pipelineSpec.js';
export { type PipelineOutcome, processEvent } from './processEvent.js';
export type { BatchStats, Processor, ProcessorInput, ProcessorResult, WriteCounts } from './processor.js';
export {
  eventTimeOf,
  fieldValue,
  keyOf,
  MAX_EVENT_TIME_MS,
  MAX_KEY_BYTES,
  MIN_EVENT_TIME_MS,
} from './recordFields.js';
export { skipApplied } from './skipApplied.js';
export { validateHandlerSpec } from './validateHandlerSpec.js';
