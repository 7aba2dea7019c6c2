import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../errors/index.js';
import type { StreamTimeCheckpoint } from '../pipeline/planBatch.js';
import { readNumber } from './dynamoClient.js';

/** How long checkpoints are kept. A redelivery older than this may judge lateness anew. */
export const CHECKPOINT_RETENTION_MS = 14 * 24 * 3600 * 1000;

/** The newest checkpoint of a partition: stream time after the record at `offset`. */
export interface LatestCheckpoint {
  readonly offset: number;
  /** -Infinity when no record with an event time had been seen. */
  readonly streamTimeMs: number;
}

/**
 * Per-partition stream time, checkpointed at the last offset of every batch once the
 * batch's writes are all done.
 *
 * Lateness must be decided identically on every delivery of a record, or a redelivered
 * record that was late the first time could be counted the second time. Stream time at an
 * offset is a function of the partition's records up to that offset, so a checkpoint is
 * valid forever. Since a batch is checkpointed only after it and (Lambda reads a partition
 * in order) every batch before it succeeded, the newest checkpoint at offset `c` also says
 * that every record up to `c` is fully applied: a redelivery skips those records outright
 * and takes the checkpoint's stream time for the rest.
 */
export class DynamoStreamTimeStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** The newest checkpoint of each partition; partitions without one are left out. */
  async latest(pipeline: string, partitionIds: readonly string[]): Promise<Map<string, LatestCheckpoint>> {
    const result = new Map<string, LatestCheckpoint>();
    await Promise.all(
      partitionIds.map(async (partitionId) => {
        try {
          const out = await this.doc.send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': checkpointPk(pipeline, partitionId) },
              ScanIndexForward: false,
              Limit: 1,
              ConsistentRead: true,
            }),
          );
          const item = out.Items?.[0];
          if (!item) return;
          result.set(partitionId, {
            offset: readNumber(item.sk)!,
            streamTimeMs: readNumber(item.streamTimeMs) ?? Number.NEGATIVE_INFINITY,
          });
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
