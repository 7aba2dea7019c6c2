export type { KafkaBatchItemFailure, KafkaBatchResponse } from './batchResponse.js';
export { type BuildEventOptions, buildEvent, eventSizeBytes, toLambdaRecord } from './buildEvent.js';
export { decodeEvent } from './decodeEvent.js';
export type { KafkaRecord, KafkaRecordInput } from './kafkaRecord.js';
export {
  type KafkaEventSource,
  type LambdaKafkaEvent,
  type LambdaKafkaHeader,
  type LambdaKafkaRecord,
  type LambdaSchemaMetadata,
  partitionId,
  type TimestampType,
} from './lambdaKafkaEvent.js';
