// Local event-source-mapping runner (Kafka -> in-process handler).
export {
  type BatchCut,
  type BatchLimits,
  batchReadiness,
  cutBatch,
  type PendingRecord,
  type Readiness,
  toPendingRecord,
} from './batcher.js';
export {
  type BatchRecordsOptions,
  batchRecords,
  batchRecordsAsync,
  createEventBatcher,
  createPartitionAssigner,
  DEFAULT_BATCH_SIZE,
  type EventBatcher,
  type EventBatchOptions,
  MAX_BATCH_SIZE,
  MAX_EVENT_BYTES,
  type PartitionOptions,
  type ProducerRecord,
} from './batchRecords.js';
export { EventSizer, envelopeBytes } from './EventSizer.js';
export {
  EsmCrashedError,
  EsmError,
  HandlerTimeoutError,
  InvalidBatchResponseError,
  PartialBatchFailureError,
  SchemaValidationError,
} from './esmErrors.js';
export {
  defaultConsumerGroupId,
  type EsmSettings,
  type EsmSettingsInput,
  effectiveMaxRetries,
  MAX_PAYLOAD_BYTES,
  RETRIES_WITH_DESTINATION,
  resolveEsmSettings,
  type StartingPosition,
} from './esmSettings.js';
export { type InvocationOutcome, interpretHandlerResult } from './handlerResult.js';
export { JsonlOnFailureDestination, type OnFailureDestination } from './JsonlOnFailureDestination.js';
export { fromKafkajsMessage } from './kafkajsRecord.js';
export {
  defaultOnFailurePath,
  type EsmHooks,
  type EsmSummary,
  type LambdaKafkaHandlerFn,
  LocalEventSourceMapping,
  type LocalEventSourceMappingOptions,
} from './LocalEventSourceMapping.js';
export { type EsmCounters, formatProgress, isCaughtUp, type PartitionLag, partitionLags } from './lag.js';
export { createLambdaContext, type LocalFunctionIdentity, localFunctionArn } from './lambdaContext.js';
export { type CommitTarget, OffsetTracker } from './OffsetTracker.js';
export {
  buildOnFailureRecord,
  type OnFailureInput,
  type OnFailureRecord,
  type OnFailureRecordsInfo,
} from './onFailureRecord.js';
export {
  type Backoff,
  backoffMs,
  bisect,
  DEFAULT_BACKOFF,
  type DiscardCondition,
  decideAfterFailure,
  type FailureDecision,
  type RetrySettings,
  splitExpired,
} from './retryPolicy.js';
export {
  addSchemaMetadata,
  type EventRecordFormat,
  type LocalSchemaRegistryConfig,
  SchemaRegistryEmulation,
  type SchemaValidationAttribute,
  type ValidatedRecord,
} from './SchemaRegistryEmulation.js';
