/**
 * The package's main entry (`kafka-lambda-streams`): what runs in Lambda. Pipeline specs and
 * their validation, `processEvent`, the handler factory, window and codec helpers, the
 * catalog, the store interfaces and their DynamoDB implementations.
 *
 * Nothing here imports kafkajs, dynalite or aws-cdk-lib: a handler that imports this module
 * bundles the engine, zod, Powertools, middy and the DynamoDB client only. The producer
 * that route and enrich handlers send with is in `./kafka` (kafkajs), the Kafka partitioner
 * in `./local`, the test driver in `./testing`, the CDK constructs in `./cdk`.
 */
export {
  type AggregateState,
  type AggregationSpec,
  attributeName,
  DEFAULT_SCALE,
} from './aggregate/index.js';
export {
  type Catalog,
  compactedTopicsOf,
  defineCatalog,
  handlerNamed,
  outputTopicsOf,
  pipelinesOf,
} from './catalog.js';
export { csvCodec } from './decode/csvCodec.js';
export { jsonCodec } from './decode/jsonCodec.js';
export { codecByName, registerCodec, registerCodecs } from './decode/registry.js';
export { requireValue, type ValueCodec, validate } from './decode/valueCodec.js';
export { DEFAULT_MAX_STALENESS_MS, type EnrichSpec } from './enrich/index.js';
export {
  ConfigError,
  InvalidEventError,
  InvalidRecordError,
  type RecordCoordinates,
  StoreError,
  StreamError,
} from './errors/index.js';
export type { KafkaBatchItemFailure, KafkaBatchResponse } from './event/batchResponse.js';
export { type BuildEventOptions, buildEvent } from './event/buildEvent.js';
export { decodeEvent } from './event/decodeEvent.js';
export type { KafkaRecord, KafkaRecordInput } from './event/kafkaRecord.js';
export {
  type KafkaEventSource,
  type LambdaKafkaEvent,
  type LambdaKafkaHeader,
  type LambdaKafkaRecord,
  partitionId,
  type TimestampType,
} from './event/lambdaKafkaEvent.js';
export { type KafkaHandler, type KafkaHandlerDeps, kafkaHandler } from './handler/kafkaHandler.js';
export {
  MAX_PIPELINE_SPEC_BYTES,
  PIPELINE_SPEC_ENV,
  parseHandlerSpec,
  specFromEnv,
} from './handler/specFromEnv.js';
export {
  OutputDeduplicator,
  type OutputRecord,
  parseSource,
  type RecordSink,
  SOURCE_HEADER,
  sourceOf,
} from './output/index.js';
export {
  type BasePipelineSpec,
  DEFAULT_RETENTION_MS,
  type DeadLetter,
  type FieldCondition,
  type FilterSpec,
  type HandlerSpec,
  type KeySpec,
  type PipelineOutcome,
  type PipelineSpec,
  processEvent,
  type RouteSpec,
  type TableSpec,
  type TimeSpec,
  validateHandlerSpec,
  type WindowedAggregateSpec,
} from './process/index.js';
export { PROCESSORS, processorFor } from './processors/index.js';
export {
  type AggregateRow,
  createDocumentClient,
  createPipelineStores,
  DynamoAggregateStore,
  type DynamoConnection,
  DynamoDeadLetterStore,
  DynamoKeyedStateStore,
  DynamoReferenceTableStore,
  DynamoStreamTimeStore,
  rowFromItem,
} from './store/dynamo/index.js';
export {
  type AggregateStore,
  ALL_TABLES,
  type CheckpointStore,
  type DeadLetterStore,
  type KeyedStateStore,
  type PipelineStores,
  type ReferenceTableStore,
  type TableDesign,
  type TableNames,
  tableNamesFromEnv,
} from './store/index.js';
export {
  allTime,
  hopping,
  type TimeWindow,
  tumbling,
  type WindowSpec,
  windowsFor,
} from './windows/index.js';
