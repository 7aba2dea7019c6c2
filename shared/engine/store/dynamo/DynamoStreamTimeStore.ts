import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, paginateScan, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../../errors/index.js';
import type { Checkpoint, CheckpointStore, StreamTimeCheckpoint } from '../CheckpointStore.js';
import { type Gap, isOpen } from '../gap.js';
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
 *
 * The partition's gaps (ranges the mapping gave up on) live on the same item, one attribute
 * `gap_<start offset>` each, so the read every batch already makes returns them for free.
 * Checkpoints are therefore written with UpdateItem (a Put would drop the gaps).
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
      const partitionId = byPk.get(String(item.pk))!;
      const updatedAtMs = readNumber(item.updatedAtMs);
      result.set(partitionId, {
        offset: readNumber(item.offset)!,
        streamTimeMs: readNumber(item.streamTimeMs) ?? Number.NEGATIVE_INFINITY,
        ...(updatedAtMs === undefined ? {} : { updatedAtMs }),
        gaps: gapsOfItem(partitionId, item),
      });
    }
    return result;
  }

  /** Moves checkpoints forward; a checkpoint at or past the offset already stored is left as it is. */
  async save(pipeline: string, checkpoints: readonly StreamTimeCheckpoint[]): Promise<void> {
    await Promise.all(
      checkpoints.map(async (c) => {
        // -Infinity (nothing seen yet) is not a DynamoDB number: leave the attribute out.
        const finite = Number.isFinite(c.streamTimeMs);
        try {
          await this.doc.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: { pk: checkpointPk(pipeline, c.partitionId), sk: LATEST_CHECKPOINT_SK },
              UpdateExpression: finite
                ? 'SET #o = :o, #u = :u, #st = :st'
                : 'SET #o = :o, #u = :u REMOVE #st',
              ConditionExpression: 'attribute_not_exists(#o) OR #o < :o',
              ExpressionAttributeNames: { '#o': 'offset', '#u': 'updatedAtMs', '#st': 'streamTimeMs' },
              ExpressionAttributeValues: {
                ':o': c.offset,
                ':u': this.nowMs(),
                ...(finite ? { ':st': c.streamTimeMs } : {}),
              },
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

  async recordGap(pipeline: string, gap: Gap): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: checkpointPk(pipeline, gap.partitionId), sk: LATEST_CHECKPOINT_SK },
          UpdateExpression: 'SET #g = if_not_exists(#g, :g)',
          ExpressionAttributeNames: { '#g': gapItemAttribute(gap.startOffset) },
          ExpressionAttributeValues: {
            ':g': {
              endOffset: gap.endOffset,
              detectedAtMs: gap.detectedAtMs,
              ...(Number.isFinite(gap.streamTimeMs) ? { streamTimeMs: gap.streamTimeMs } : {}),
            },
          },
        }),
      );
    } catch (err) {
      throw new StoreError(
        `recording gap [${gap.startOffset}, ${gap.endOffset}) of ${pipeline} ${gap.partitionId} failed`,
        {
          cause: err,
        },
      );
    }
  }

  async closeGap(
    pipeline: string,
    gap: Gap,
    reason: NonNullable<Gap['closedReason']>,
    nowMs: number,
  ): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: checkpointPk(pipeline, gap.partitionId), sk: LATEST_CHECKPOINT_SK },
          UpdateExpression: 'SET #g.#c = if_not_exists(#g.#c, :now), #g.#r = if_not_exists(#g.#r, :r)',
          ConditionExpression: 'attribute_exists(#g)',
          ExpressionAttributeNames: {
            '#g': gapItemAttribute(gap.startOffset),
            '#c': 'closedAtMs',
            '#r': 'closedReason',
          },
          ExpressionAttributeValues: { ':now': nowMs, ':r': reason },
        }),
      );
    } catch (err) {
      throw new StoreError(
        `closing gap [${gap.startOffset}, ${gap.endOffset}) of ${pipeline} ${gap.partitionId} failed`,
        {
          cause: err,
        },
      );
    }
  }

  /** A Scan of the state table: for the CLI and the recovery function, never on a batch's path. */
  async listGaps(pipelines?: readonly string[]): Promise<Array<Gap & { readonly pipeline: string }>> {
    const wanted = pipelines && pipelines.length > 0 ? new Set(pipelines) : null;
    const out: Array<Gap & { pipeline: string }> = [];
    try {
      for await (const page of paginateScan(
        { client: this.doc },
        { TableName: this.tableName, ConsistentRead: true },
      )) {
        for (const item of page.Items ?? []) {
          const pk = String(item.pk);
          const at = pk.indexOf(STREAM_TIME_INFIX);
          if (at < 0 || readNumber(item.sk) !== LATEST_CHECKPOINT_SK) continue;
          const pipeline = pk.slice(0, at);
          if (wanted && !wanted.has(pipeline)) continue;
          for (const gap of gapsOfItem(pk.slice(at + STREAM_TIME_INFIX.length), item))
            out.push({ ...gap, pipeline });
        }
      }
    } catch (err) {
      throw new StoreError(`listing the gaps in ${this.tableName} failed`, { cause: err });
    }
    return out.sort(
      (a, b) =>
        Number(isOpen(b)) - Number(isOpen(a)) ||
        a.pipeline.localeCompare(b.pipeline) ||
        a.partitionId.localeCompare(b.partitionId) ||
        a.startOffset - b.startOffset,
    );
  }
}

const STREAM_TIME_INFIX = '#streamtime#';
const GAP_PREFIX = 'gap_';

function gapItemAttribute(startOffset: number): string {
  return `${GAP_PREFIX}${startOffset}`;
}

/** The gaps held by a checkpoint item, by start offset. */
function gapsOfItem(partitionId: string, item: Record<string, unknown>): Gap[] {
  const gaps: Gap[] = [];
  for (const [name, raw] of Object.entries(item)) {
    if (!name.startsWith(GAP_PREFIX) || typeof raw !== 'object' || raw === null) continue;
    const g = raw as Record<string, unknown>;
    const closedAtMs = readNumber(g.closedAtMs);
    gaps.push({
      partitionId,
      startOffset: Number(name.slice(GAP_PREFIX.length)),
      endOffset: readNumber(g.endOffset)!,
      streamTimeMs: readNumber(g.streamTimeMs) ?? Number.NEGATIVE_INFINITY,
      detectedAtMs: readNumber(g.detectedAtMs) ?? 0,
      ...(closedAtMs === undefined
        ? {}
        : { closedAtMs, closedReason: g.closedReason as Gap['closedReason'] }),
    });
  }
  return gaps.sort((a, b) => a.startOffset - b.startOffset);
}

function checkpointPk(pipeline: string, partitionId: string): string {
  return `${pipeline}${STREAM_TIME_INFIX}${partitionId}`;
}
