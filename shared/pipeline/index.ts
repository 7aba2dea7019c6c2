export {
  type DeadLetter,
  invalidDeadLetter,
  lateDeadLetter,
  MAX_DEAD_LETTER_VALUE_BYTES,
} from './deadLetter.js';
export { type FieldCondition, type FilterSpec, matchesFilter, toEsmFilterPattern } from './filterSpec.js';
export {
  DEFAULT_RETENTION_MS,
  type HandlerSpec,
  type KeySpec,
  type PipelineSpec,
  pipelineSpecSchema,
  type TimeSpec,
} from './pipelineSpec.js';
export {
  type BatchPlan,
  type BatchStats,
  type DecodedRecord,
  decodeGroups,
  eventTimeOf,
  type ItemUpdate,
  keyOf,
  MAX_EVENT_TIME_MS,
  MAX_KEY_BYTES,
  MIN_EVENT_TIME_MS,
  type PartitionContribution,
  planBatch,
  remainingContribution,
  type StreamTimeCheckpoint,
} from './planBatch.js';
export { type PipelineOutcome, processEvent } from './processEvent.js';
export { type Checkpoint, skipApplied } from './skipApplied.js';
export { validateHandlerSpec } from './validateHandlerSpec.js';
