export { type AggregateRow, rowFromItem } from './aggregateRow.js';
export {
  type ApplyCounts,
  DynamoAggregateStore,
  type DynamoAggregateStoreOptions,
  stateOfItem,
} from './DynamoAggregateStore.js';
export {
  DEAD_LETTER_RETENTION_MS,
  DynamoDeadLetterStore,
  deadLetterSortKey,
} from './DynamoDeadLetterStore.js';
export { DynamoStreamTimeStore, LATEST_CHECKPOINT_SK } from './DynamoStreamTimeStore.js';
export { createDocumentClient, type DynamoConnection, readDecimal, readNumber } from './dynamoClient.js';
export { createPipelineStores, type PipelineStores } from './pipelineStores.js';
export {
  AGGREGATES_TABLE,
  ALL_TABLES,
  aggregatePk,
  DEAD_LETTER_TABLE,
  highWaterAttribute,
  STATE_TABLE,
  type TableDesign,
  windowSortKey,
} from './tableDesign.js';
export { type TableNames, tableNamesFromEnv } from './tableNames.js';
