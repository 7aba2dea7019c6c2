/**
 * Local-only helpers: never imported by a Lambda handler, so the embedded DynamoDB (dynalite
 * and LevelDB's native add-on) stays out of every function bundle.
 */

// The local event-source-mapping runner: Kafka (kafkajs) -> batches shaped like Lambda's -> an
// in-process handler, with the mapping's retries, bisecting and on-failure destination.
export { partitionForKey } from '../kafka/partitioner.js';
export {
  attributeValueBytes,
  countOperators,
  DYNAMO_LIMITS,
  enforceDynamoLimits,
  itemBytes,
  type KeyNames,
  limitViolations,
} from './dynamo/dynamoLimits.js';
export { type EmbeddedDynamo, ensureTables, startEmbeddedDynamo } from './dynamo/embeddedDynamo.js';
export { startEmbeddedDynamoProcess } from './dynamo/embeddedDynamoProcess.js';
export {
  batchRecords,
  createEventBatcher,
  DEFAULT_BATCH_SIZE,
  type EsmHooks,
  type EsmSettingsInput,
  type EsmSummary,
  JsonlOnFailureDestination,
  type LambdaKafkaHandlerFn,
  LocalEventSourceMapping,
  type LocalEventSourceMappingOptions,
  MAX_BATCH_SIZE,
  type OnFailureDestination,
  type ProducerRecord,
  resolveEsmSettings,
} from './eventSourceMapping/index.js';
