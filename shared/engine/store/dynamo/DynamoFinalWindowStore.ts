import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../../errors/index.js';
import type { FinalWindowStore, OpenWindow, WindowResult } from '../FinalWindowStore.js';
import { aggregatePk, OPEN_WINDOWS_INDEX, windowSortKey } from '../tableDesign.js';
import { rowFromItem } from './aggregateRow.js';
import { CLOSED_AT_ATTRIBUTE, FINAL_AT_ATTRIBUTE } from './DynamoAggregateStore.js';
import { conditionalWrite, readNumber } from './dynamoClient.js';

/**
 * Finality of aggregate items on the aggregates table: the sparse `openWindows` index lists
 * what is still open, `closedAt` freezes an item (DynamoAggregateStore conditions its writes
 * on its absence) and `finalAt` is the final mark, set once, which also removes the item
 * from the index (`REMOVE openPipeline`).
 */
export class DynamoFinalWindowStore implements FinalWindowStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async openWindows(pipeline: string, closeAtMsUpTo: number, limit: number): Promise<OpenWindow[]> {
    const out: OpenWindow[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const page = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: OPEN_WINDOWS_INDEX,
            KeyConditionExpression: 'openPipeline = :p AND closeAtMs <= :bound',
            ExpressionAttributeValues: { ':p': pipeline, ':bound': closeAtMsUpTo },
            Limit: limit - out.length,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) {
          out.push({
            key: String(item.pk).slice(pipeline.length + 1),
            windowStartMs: Date.parse(String(item.sk)),
            closeAtMs: readNumber(item.closeAtMs)!,
          });
        }
        start = page.LastEvaluatedKey;
      } while (start && out.length < limit);
    } catch (err) {
      throw new StoreError(`Query of ${OPEN_WINDOWS_INDEX} on ${this.tableName} failed for ${pipeline}`, {
        cause: err,
      });
    }
    return out;
  }

  async close(
    pipeline: string,
    window: OpenWindow,
    nowMs: number,
  ): Promise<{ result: WindowResult; alreadyFinal: boolean } | undefined> {
    const Key = this.key(pipeline, window);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          // `v` moves too, so a read-modify-write that read the item before it closed fails
          // its version condition, reads again and sees it closed.
          UpdateExpression: 'SET #closed = :now ADD #v :one',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#closed)',
          ExpressionAttributeNames: { '#closed': CLOSED_AT_ATTRIBUTE, '#v': 'v' },
          ExpressionAttributeValues: { ':now': nowMs, ':one': 1 },
        }),
      );
    } catch (err) {
      // Closed already (an earlier pass that crashed, or a concurrent finalizer), or gone.
      if (!(err instanceof ConditionalCheckFailedException)) {
        throw new StoreError(`closing ${Key.pk} ${Key.sk} failed`, { cause: err });
      }
    }
    let item: Record<string, unknown> | undefined;
    try {
      item = (await this.doc.send(new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true })))
        .Item;
    } catch (err) {
      throw new StoreError(`GetItem on ${this.tableName} failed for ${Key.pk} ${Key.sk}`, { cause: err });
    }
    if (!item) return undefined;
    const row = rowFromItem(item);
    return {
      result: {
        pipeline,
        key: window.key,
        windowStartMs: row.windowStartMs ?? window.windowStartMs,
        windowEndMs: row.windowEndMs ?? window.windowStartMs,
        count: row.count,
        aggregates: row.aggregates,
      },
      alreadyFinal: item[FINAL_AT_ATTRIBUTE] !== undefined,
    };
  }

  async markFinal(pipeline: string, window: OpenWindow, nowMs: number): Promise<boolean> {
    const Key = this.key(pipeline, window);
    return conditionalWrite(
      () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key,
            UpdateExpression: 'SET #final = :now REMOVE openPipeline',
            ConditionExpression: 'attribute_exists(#closed) AND attribute_not_exists(#final)',
            ExpressionAttributeNames: { '#final': FINAL_AT_ATTRIBUTE, '#closed': CLOSED_AT_ATTRIBUTE },
            ExpressionAttributeValues: { ':now': nowMs },
          }),
        ),
      `marking ${Key.pk} ${Key.sk} final failed`,
    );
  }

  private key(pipeline: string, window: OpenWindow) {
    return { pk: aggregatePk(pipeline, window.key), sk: windowSortKey(window.windowStartMs) };
  }
}
