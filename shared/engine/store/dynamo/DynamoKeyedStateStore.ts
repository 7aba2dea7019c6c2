import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../../errors/index.js';
import type { KeyedStateStore, StateEntry } from '../KeyedStateStore.js';
import { conditionalWrite, readNumber } from './dynamoClient.js';

/**
 * Keyed, versioned state on the state table: pk = the caller's key, sk = a number (the
 * checkpoints use sk 0 under their own `<pipeline>#streamtime#...` keys, so callers prefix
 * keys with their pipeline and purpose). Values are stored as JSON text, so they read back
 * exactly as written (the document client would turn numbers into NumberValue). Each write is a PutItem conditioned on the version
 * read, the same optimistic concurrency the aggregates' read-modify-write path uses.
 */
export class DynamoKeyedStateStore implements KeyedStateStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get<V>(key: string, sortKey: number): Promise<StateEntry<V> | undefined> {
    try {
      const { Item } = await this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: { pk: key, sk: sortKey }, ConsistentRead: true }),
      );
      return Item
        ? { value: JSON.parse(String(Item.value)) as V, version: readNumber(Item.v) ?? 0 }
        : undefined;
    } catch (err) {
      throw new StoreError(`GetItem on ${this.tableName} failed for ${key} ${sortKey}`, { cause: err });
    }
  }

  async put<V>(
    key: string,
    sortKey: number,
    value: V,
    expectedVersion: number | undefined,
    expiresAtMs?: number,
  ): Promise<boolean> {
    return conditionalWrite(
      () =>
        this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              pk: key,
              sk: sortKey,
              value: JSON.stringify(value),
              v: (expectedVersion ?? 0) + 1,
              ...(expiresAtMs === undefined ? {} : { expiresAt: Math.floor(expiresAtMs / 1000) }),
            },
            ...(expectedVersion === undefined
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  ConditionExpression: '#v = :v',
                  ExpressionAttributeNames: { '#v': 'v' },
                  ExpressionAttributeValues: { ':v': expectedVersion },
                }),
          }),
        ),
      `PutItem on ${this.tableName} failed for ${key} ${sortKey}`,
    );
  }

  async range<V>(
    key: string,
    fromSortKey: number,
    toSortKey: number,
  ): Promise<Array<StateEntry<V> & { sortKey: number }>> {
    const out: Array<StateEntry<V> & { sortKey: number }> = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const page = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':pk': key, ':from': fromSortKey, ':to': toSortKey },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) {
          out.push({
            sortKey: readNumber(item.sk)!,
            value: JSON.parse(String(item.value)) as V,
            version: readNumber(item.v) ?? 0,
          });
        }
        start = page.LastEvaluatedKey;
      } while (start);
    } catch (err) {
      throw new StoreError(`Query on ${this.tableName} failed for ${key}`, { cause: err });
    }
    return out;
  }

  async delete(key: string, sortKey: number, expectedVersion: number): Promise<boolean> {
    return conditionalWrite(
      () =>
        this.doc.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { pk: key, sk: sortKey },
            ConditionExpression: '#v = :v',
            ExpressionAttributeNames: { '#v': 'v' },
            ExpressionAttributeValues: { ':v': expectedVersion },
          }),
        ),
      `DeleteItem on ${this.tableName} failed for ${key} ${sortKey}`,
    );
  }
}
