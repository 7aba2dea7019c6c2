import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAggregateStore, type DynamoAggregateStoreOptions } from './DynamoAggregateStore.js';
import { DynamoDeadLetterStore } from './DynamoDeadLetterStore.js';
import { DynamoStreamTimeStore } from './DynamoStreamTimeStore.js';
import type { TableNames } from './tableNames.js';

/** The three stores a pipeline writes to, passed into the core as one dependency. */
export interface PipelineStores {
  readonly aggregates: DynamoAggregateStore;
  readonly deadLetters: DynamoDeadLetterStore;
  readonly streamTimes: DynamoStreamTimeStore;
}

/** Builds the stores over one document client. */
export function createPipelineStores(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  options: DynamoAggregateStoreOptions = {},
): PipelineStores {
  return {
    aggregates: new DynamoAggregateStore(doc, tables.aggregates, options),
    deadLetters: new DynamoDeadLetterStore(doc, tables.deadLetters, options.nowMs),
    streamTimes: new DynamoStreamTimeStore(doc, tables.state),
  };
}
