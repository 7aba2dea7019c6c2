import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PipelineStores } from '../PipelineStores.js';
import type { TableNames } from '../tableNames.js';
import { DynamoAggregateStore, type DynamoAggregateStoreOptions } from './DynamoAggregateStore.js';
import { DynamoDeadLetterStore } from './DynamoDeadLetterStore.js';
import { DynamoFinalWindowStore } from './DynamoFinalWindowStore.js';
import { DynamoKeyedStateStore } from './DynamoKeyedStateStore.js';
import { DynamoReferenceTableStore } from './DynamoReferenceTableStore.js';
import { DynamoSessionRowStore } from './DynamoSessionRowStore.js';
import { DynamoStreamTimeStore } from './DynamoStreamTimeStore.js';

/** The DynamoDB implementations of every store, over one document client. */
export function createPipelineStores(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  options: DynamoAggregateStoreOptions = {},
): PipelineStores {
  return {
    aggregates: new DynamoAggregateStore(doc, tables.aggregates, options),
    finalWindows: new DynamoFinalWindowStore(doc, tables.aggregates),
    deadLetters: new DynamoDeadLetterStore(doc, tables.deadLetters, options.nowMs),
    streamTimes: new DynamoStreamTimeStore(doc, tables.state, options.nowMs),
    state: new DynamoKeyedStateStore(doc, tables.state),
    tables: new DynamoReferenceTableStore(doc, tables.state),
    sessions: new DynamoSessionRowStore(doc, tables.aggregates),
    ...(options.nowMs ? { nowMs: options.nowMs } : {}),
  };
}
