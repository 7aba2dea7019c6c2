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
