/** The DynamoDB implementations of the engine's store interfaces. */
export { type AggregateRow, rowFromItem } from './aggregateRow.js';
export { batchGetAll } from './batchGetAll.js';
export {
  CLOSED_AT_ATTRIBUTE,
  DynamoAggregateStore,
  type DynamoAggregateStoreOptions,
  FINAL_AT_ATTRIBUTE,
  stateOfItem,
} from './DynamoAggregateStore.js';
export {
  DEAD_LETTER_RETENTION_MS,
  DynamoDeadLetterStore,
  deadLetterSortKey,
} from './DynamoDeadLetterStore.js';
export { DynamoFinalWindowStore } from './DynamoFinalWindowStore.js';
export { DynamoKeyedStateStore } from './DynamoKeyedStateStore.js';
export { DynamoReferenceTableStore, tableRowPk } from './DynamoReferenceTableStore.js';
export { DynamoSessionRowStore, SESSION_INDEX_SUFFIX, sessionFromItem } from './DynamoSessionRowStore.js';
export { DynamoStreamTimeStore, LATEST_CHECKPOINT_SK } from './DynamoStreamTimeStore.js';
export { createDocumentClient, type DynamoConnection, readDecimal, readNumber } from './dynamoClient.js';
export { createPipelineStores } from './pipelineStores.js';
export { scanJoinPairs, scanJoinUnmatched } from './scanJoinPairs.js';
