import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../../errors/index.js';
import { partitionId } from '../../event/lambdaKafkaEvent.js';
import type { DeadLetter } from '../../process/deadLetter.js';
import type { DeadLetterStore } from '../DeadLetterStore.js';
import { readNumber } from './dynamoClient.js';

/** How long dead letters are kept (DynamoDB TTL), counted from when they are written. */
export const DEAD_LETTER_RETENTION_MS = 30 * 24 * 3600 * 1000;

/**
 * The dead-letter table. Keys are derived from the record's coordinates (and the closed
 * window, for late records), so writing the same dead letter twice, as a redelivery does,
 * leaves one item: the table counts each rejected record exactly once.
 */
export class DynamoDeadLetterStore implements DeadLetterStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Writes dead letters in BatchWriteItem chunks of 25, retrying unprocessed items with backoff. */
  async putAll(deadLetters: readonly DeadLetter[]): Promise<number> {
    // Two late entries for one record and window cannot happen, but dedupe keys anyway:
    // BatchWriteItem rejects a request that names one key twice.
    const byKey = new Map(deadLetters.map((d) => [deadLetterSortKey(d), d]));
    const items = [...byKey.values()].map((d) => ({
      ...d,
      pk: d.pipeline,
      sk: deadLetterSortKey(d),
      expiresAt: Math.floor((this.nowMs() + DEAD_LETTER_RETENTION_MS) / 1000),
    }));
    for (let i = 0; i < items.length; i += 25) {
      let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt >= 10)
          throw new StoreError(`BatchWriteItem on ${this.tableName}: items still unprocessed after 10 tries`);
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt)));
        try {
          const out = await this.doc.send(
            new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }),
          );
          requests = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
        } catch (err) {
          throw new StoreError(`BatchWriteItem on ${this.tableName} failed`, { cause: err });
        }
      }
    }
    return items.length;
  }

  /** Dead letters of one pipeline, or of all pipelines (a scan: for the CLI and tests, not for hot paths). */
  async list(pipeline?: string): Promise<DeadLetter[]> {
    const out: DeadLetter[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = pipeline
        ? await this.doc.send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: 'pk = :p',
              ExpressionAttributeValues: { ':p': pipeline },
              ExclusiveStartKey,
            }),
          )
        : await this.doc.send(new ScanCommand({ TableName: this.tableName, ExclusiveStartKey }));
      for (const item of page.Items ?? []) out.push(toDeadLetter(item));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return out;
  }
}

/** `<topic>-<partition>#<offset, 20 digits>#<kind>#<window start ms or empty>`. */
export function deadLetterSortKey(d: DeadLetter): string {
  const window = d.windowStartMs === undefined ? '' : String(d.windowStartMs);
  return `${partitionId(d.topic, d.partition)}#${String(d.offset).padStart(20, '0')}#${d.kind}#${window}`;
}

function toDeadLetter(item: Record<string, unknown>): DeadLetter {
  const num = (k: string) => readNumber(item[k]);
  const d: Record<string, unknown> = { ...item };
  for (const k of ['partition', 'offset', 'timestampMs', 'windowStartMs', 'windowEndMs', 'streamTimeMs']) {
    const n = num(k);
    if (n === undefined) delete d[k];
    else d[k] = n;
  }
  delete d.pk;
  delete d.sk;
  delete d.expiresAt;
  return d as unknown as DeadLetter;
}
