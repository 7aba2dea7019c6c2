import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../errors/index.js';
import type { StreamTimeCheckpoint } from '../pipeline/planBatch.js';
import { readNumber } from './dynamoClient.js';

/** How long checkpoints are kept. A redelivery older than this may judge lateness anew. */
export const CHECKPOINT_RETENTION_MS = 14 * 24 * 3600 * 1000;

/**
 * Per-partition stream time, checkpointed at the last offset of every batch.
 *
 * Lateness must be decided identically on every delivery of a record, or a redelivered
 * record that was late the first time could be counted the second time. Stream time at an
 * offset is a function of the partition's records up to that offset, so a checkpoint is
 * valid forever; a batch starting at offset `o` takes the checkpoint with the largest offset
 * below `o`, which is the last record of the batch before it (Lambda starts a batch right
 * after the last successful one, and a retry at the same place).
 */
export class DynamoStreamTimeStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Stream time before each partition's first offset; partitions without a checkpoint are left out. */
  async load(
    pipeline: string,
    starts: ReadonlyArray<{ partitionId: string; firstOffset: number }>,
  ): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    await Promise.all(
      starts.map(async ({ partitionId, firstOffset }) => {
        try {
          const out = await this.doc.send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: 'pk = :pk AND sk < :o',
              ExpressionAttributeValues: { ':pk': checkpointPk(pipeline, partitionId), ':o': firstOffset },
              ScanIndexForward: false,
              Limit: 1,
              ConsistentRead: true,
            }),
          );
          const item = out.Items?.[0];
          if (!item) return;
          const t = readNumber(item.streamTimeMs);
          result.set(partitionId, t ?? Number.NEGATIVE_INFINITY);
        } catch (err) {
          throw new StoreError(`reading stream time of ${pipeline} ${partitionId} failed`, { cause: err });
        }
      }),
    );
    return result;
  }

  /** Saves checkpoints; idempotent (same offset, same value). */
  async save(pipeline: string, checkpoints: readonly StreamTimeCheckpoint[]): Promise<void> {
    await Promise.all(
      checkpoints.map(async (c) => {
        try {
          await this.doc.send(
            new PutCommand({
              TableName: this.tableName,
              Item: {
                pk: checkpointPk(pipeline, c.partitionId),
                sk: c.offset,
                // -Infinity (nothing seen yet) is not a DynamoDB number: leave the attribute out.
                ...(Number.isFinite(c.streamTimeMs) ? { streamTimeMs: c.streamTimeMs } : {}),
                expiresAt: Math.floor((this.nowMs() + CHECKPOINT_RETENTION_MS) / 1000),
              },
            }),
          );
        } catch (err) {
          throw new StoreError(`saving stream time of ${pipeline} ${c.partitionId} failed`, { cause: err });
        }
      }),
    );
  }
}

function checkpointPk(pipeline: string, partitionId: string): string {
  return `${pipeline}#streamtime#${partitionId}`;
}
