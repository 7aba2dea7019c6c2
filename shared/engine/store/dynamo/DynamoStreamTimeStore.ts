import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../../errors/index.js';
import type { Checkpoint, CheckpointStore, StreamTimeCheckpoint } from '../CheckpointStore.js';
import { batchGetAll } from './batchGetAll.js';
import { readNumber } from './dynamoClient.js';

/** Sort key of the one checkpoint item of a (pipeline, partition) in the state table. */
export const LATEST_CHECKPOINT_SK = 0;

/**
 * Per-partition stream time, checkpointed at the last offset of every batch once the
 * batch's writes are all done.
 *
 * Lateness must be decided identically on every delivery of a record, or a redelivered
 * record that was late the first time could be counted the second time. Stream time at an
 * offset is a function of the partition's records up to that offset. Since a batch is
 * checkpointed only after it and (Lambda reads a partition in order) every batch before it
 * succeeded, the checkpoint at offset `c` also says that every record up to `c` is fully
 * applied: a redelivery skips those records outright and takes the checkpoint's stream time
 * for the rest (see skipApplied).
 *
 * One item per (pipeline, partition), only ever moved forward (a conditional put), and with
 * no TTL: an expiring checkpoint would let a partition that was idle for a while start from
 * no stream time and count records whose windows had closed.
 */
export class DynamoStreamTimeStore implements CheckpointStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Wall clock stamped on each checkpoint (`updatedAtMs`). @default Date.now */
    private readonly nowMs: () => number = Date.now,
  ) {}

  /**
   * The checkpoint of each partition; partitions without one are left out. One
   * BatchGetItem per 100 partitions (DynamoDB's limit), so a batch from hundreds of
   * partitions costs a few requests, not one per partition.
   */
  async latest(pipeline: string, partitionIds: readonly string[]): Promise<Map<string, Checkpoint>> {
    const byPk = new Map(partitionIds.map((id) => [checkpointPk(pipeline, id), id]));
    const items = await batchGetAll(
      this.doc,
      this.tableName,
      [...byPk.keys()].map((pk) => ({ pk, sk: LATEST_CHECKPOINT_SK })),
      `the stream-time checkpoints of ${pipeline}`,
    );
    const result = new Map<string, Checkpoint>();
    for (const item of items) {
      const updatedAtMs = readNumber(item.updatedAtMs);
      result.set(byPk.get(String(item.pk))!, {
        offset: readNumber(item.offset)!,
        streamTimeMs: readNumber(item.streamTimeMs) ?? Number.NEGATIVE_INFINITY,
        ...(updatedAtMs === undefined ? {} : { updatedAtMs }),
      });
    }
    return result;
  }

  /** Moves checkpoints forward; a checkpoint at or past the offset already stored is left as it is. */
  async save(pipeline: string, checkpoints: readonly StreamTimeCheckpoint[]): Promise<void> {
    await Promise.all(
      checkpoints.map(async (c) => {
        try {
          await this.doc.send(
            new PutCommand({
              TableName: this.tableName,
              Item: {
                pk: checkpointPk(pipeline, c.partitionId),
                sk: LATEST_CHECKPOINT_SK,
                offset: c.offset,
                updatedAtMs: this.nowMs(),
                // -Infinity (nothing seen yet) is not a DynamoDB number: leave the attribute out.
                ...(Number.isFinite(c.streamTimeMs) ? { streamTimeMs: c.streamTimeMs } : {}),
              },
              ConditionExpression: 'attribute_not_exists(#o) OR #o < :o',
              ExpressionAttributeNames: { '#o': 'offset' },
              ExpressionAttributeValues: { ':o': c.offset },
            }),
          );
        } catch (err) {
          // A redelivery of an older batch: the stored checkpoint is already further on.
          if (err instanceof ConditionalCheckFailedException) return;
          throw new StoreError(`saving the stream-time checkpoint of ${pipeline} ${c.partitionId} failed`, {
            cause: err,
          });
        }
      }),
    );
  }
}

function checkpointPk(pipeline: string, partitionId: string): string {
  return `${pipeline}#streamtime#${partitionId}`;
}
