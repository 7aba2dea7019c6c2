import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  NumberValue,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type AggregateState,
  type AggregationSpec,
  attributeName,
  combine,
  DEFAULT_SCALE,
  decimalToScaled,
  emptyState,
  isAdditive,
  scaledToDecimal,
} from '../../aggregate/index.js';
import { StoreError } from '../../errors/index.js';
import { DEFAULT_RETENTION_MS } from '../../process/pipelineSpec.js';
import type { WindowedAggregateSpec } from '../../processors/windowedAggregate/windowedAggregateSpec.js';
import { graceMsOf, isAllTime } from '../../windows/index.js';
import type { AggregateStore, ApplyCounts, ApplyResult, RefusedUpdate } from '../AggregateStore.js';
import { type ItemUpdate, remainingContribution } from '../aggregateUpdate.js';
import { type Gap, gapAttribute, gapProgress } from '../gap.js';
import { aggregatePk, highWaterAttribute, windowSortKey } from '../tableDesign.js';
import { readNumber } from './dynamoClient.js';

/**
 * Set (once) when a final-results window is closed: every aggregate write of a
 * final-results pipeline is conditioned on its absence, so a closed window never changes.
 */
export const CLOSED_AT_ATTRIBUTE = 'closedAt';
/** Set (once) when a closed window's final result was sent: the exactly-once final mark. */
export const FINAL_AT_ATTRIBUTE = 'finalAt';

/** Options for {@link DynamoAggregateStore}. */
export interface DynamoAggregateStoreOptions {
  /** Item writes in flight at once. @default 16 */
  readonly concurrency?: number;
  /** Read-modify-write attempts per item before giving up with a StoreError. @default 25 */
  readonly maxAttempts?: number;
  /** Wall clock for TTL, injectable for tests. @default Date.now */
  readonly nowMs?: () => number;
}

/**
 * The aggregates table, written with an exactly-once effect under at-least-once delivery.
 *
 * Each item remembers, per source partition, the highest offset it has applied (`hw:<topic>-<partition>`).
 * Because Lambda reads a partition in order and only moves on after a batch succeeded, every
 * record of that partition at or below the mark is in the item and none above it. So:
 * - fast path: one UpdateItem that ADDs the batch's pre-aggregated deltas on condition that
 *   every contributing partition's mark is below the batch's first offset for the item;
 * - slow path (the condition failed: a redelivery overlapping an earlier write, or min/max,
 *   which DynamoDB cannot apply atomically): read the item, drop the offsets it already has,
 *   merge, and put it back on condition that its version `v` is unchanged; repeat on conflict.
 * No transactions needed (dynalite has none), and a crash between item writes is harmless:
 * the redelivery skips what each item already holds. A fast-path write covers at most
 * {@link MAX_PARTITIONS_PER_WRITE} partitions (DynamoDB's expression limits); an item fed by
 * more partitions in one batch gets one write per chunk of them.
 */
export class DynamoAggregateStore implements AggregateStore {
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly nowMs: () => number;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: DynamoAggregateStoreOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 16;
    this.maxAttempts = options.maxAttempts ?? 25;
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** Applies every update of a batch plan; each item independently and idempotently. */
  async applyUpdates(
    spec: WindowedAggregateSpec,
    updates: readonly ItemUpdate[],
    openGaps: ReadonlyMap<string, readonly Gap[]> = new Map(),
  ): Promise<ApplyResult> {
    const additive = spec.aggregations.every(isAdditive);
    return this.forEachItem(updates, async (update, counts, refused) => {
      if (!additive) {
        // One conditional Put whatever the partition count: its condition is the version alone.
        await this.slowPath(spec, update, counts, refused, openGaps);
        return;
      }
      // One chunk at a time, so two writes of this batch never race each other on the item.
      for (const chunk of chunkByPartitions(update, MAX_PARTITIONS_PER_WRITE)) {
        if (!(await this.tryFastPath(spec, chunk, counts, openGaps))) {
          await this.slowPath(spec, chunk, counts, refused, openGaps);
        }
      }
    });
  }

  /**
   * Applies a gap's records: per item, read it, take how far it had applied the gap (its gap
   * mark, or its high-water mark when no write since the gap touched it: see gapProgress),
   * add the rest and move the gap mark, on condition that the version is unchanged. Always
   * a read-modify-write: recovery is rare, and the fast path's mark condition cannot say
   * "the gap mark, or else the high-water mark clamped to the gap".
   */
  async applyGapUpdates(
    spec: WindowedAggregateSpec,
    gap: Gap,
    updates: readonly ItemUpdate[],
  ): Promise<ApplyResult> {
    return this.forEachItem(updates, (update, counts, refused) =>
      this.gapSlowPath(spec, gap, update, counts, refused),
    );
  }

  /** Runs `apply` over the updates, `concurrency` at a time; rejects once every started write settled if any failed. */
  private async forEachItem(
    updates: readonly ItemUpdate[],
    apply: (update: ItemUpdate, counts: ApplyCounts, refused: RefusedUpdate[]) => Promise<void>,
  ): Promise<ApplyResult> {
    const counts: ApplyCounts = { fastWrites: 0, slowWrites: 0, conflicts: 0, reads: 0, alreadyApplied: 0 };
    const refused: RefusedUpdate[] = [];
    let next = 0;
    let failed = false;
    const worker = async () => {
      // Stop taking items once one failed: the invocation is going to fail and be retried,
      // and writes still running after it returns would race the retry.
      while (next < updates.length && !failed) {
        const update = updates[next++]!;
        try {
          await apply(update, counts, refused);
        } catch (err) {
          failed = true;
          throw err;
        }
      }
    };
    // allSettled: return only when no write of this batch is still in flight.
    const results = await Promise.allSettled(
      Array.from({ length: Math.min(this.concurrency, updates.length) }, worker),
    );
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    return { counts, refused };
  }

  private itemKey(spec: WindowedAggregateSpec, update: ItemUpdate) {
    return { pk: aggregatePk(spec.name, update.key), sk: windowSortKey(update.window.startMs) };
  }

  /** Attributes every item carries besides its aggregates: what it is, where to find it, when it expires. */
  private describe(spec: WindowedAggregateSpec, update: ItemUpdate): Record<string, unknown> {
    const sk = windowSortKey(update.window.startMs);
    const meta: Record<string, unknown> = {
      pipeline: spec.name,
      key: update.key,
      gsi1pk: `${spec.name}#${sk}`,
    };
    if (!isAllTime(update.window)) {
      meta.windowStart = update.window.startMs;
      meta.windowEnd = update.window.endMs;
      // Retention counts from the window end or from now, whichever is later, so replaying
      // old data does not write items that TTL deletes at once.
      const base = Math.max(update.window.endMs, this.nowMs());
      meta.expiresAt = Math.floor((base + (spec.retentionMs ?? DEFAULT_RETENTION_MS)) / 1000);
      if (spec.final) {
        // Lists the item in the sparse openWindows index until it is marked final. Written
        // with the same value on every update, so the index is written at creation and at
        // the final mark only (KEYS_ONLY: updates of the aggregates do not touch it).
        meta.openPipeline = spec.name;
        meta.closeAtMs = update.window.endMs + graceMsOf(spec.window);
      }
    }
    return meta;
  }

  private async tryFastPath(
    spec: WindowedAggregateSpec,
    update: ItemUpdate,
    counts: ApplyCounts,
    openGaps: ReadonlyMap<string, readonly Gap[]>,
  ): Promise<boolean> {
    const names: Record<string, string> = { '#count': 'count', '#v': 'v' };
    const values: Record<string, unknown> = { ':one': 1 };
    const adds = ['#count :count', '#v :one'];
    const sets: string[] = [];
    const conditions: string[] = [];
    const total = emptyState();
    let i = 0;
    for (const c of update.partitions.values()) {
      combine(total, c.total, spec.aggregations);
      names[`#hw${i}`] = highWaterAttribute(c.partitionId);
      values[`:min${i}`] = c.offsets[0]!;
      values[`:hw${i}`] = c.offsets[c.offsets.length - 1]!;
      conditions.push(`(attribute_not_exists(#hw${i}) OR #hw${i} < :min${i})`);
      sets.push(`#hw${i} = :hw${i}`);
      // Per open gap: the item's gap mark stays if it has one; without one, the fast path
      // can only say "none of the gap" (mark below the gap's start). A mark inside the gap
      // (a failed attempt's partial write) fails the condition and takes the slow path,
      // which reads the mark and keeps it as the gap mark.
      (openGaps.get(c.partitionId) ?? []).forEach((gap, j) => {
        const g = `${i}_${j}`;
        names[`#g${g}`] = gapAttribute(gap);
        values[`:gs${g}`] = gap.startOffset;
        values[`:gn${g}`] = gap.startOffset - 1;
        conditions.push(`(attribute_exists(#g${g}) OR attribute_not_exists(#hw${i}) OR #hw${i} < :gs${g})`);
        sets.push(`#g${g} = if_not_exists(#g${g}, :gn${g})`);
      });
      i++;
    }
    if (spec.final) {
      names['#closed'] = CLOSED_AT_ATTRIBUTE;
      conditions.push('attribute_not_exists(#closed)');
    }
    values[':count'] = total.count;
    spec.aggregations.forEach((agg, j) => {
      if (agg.op === 'count') return;
      const v = total.values[attributeName(agg)];
      if (v === undefined) return;
      names[`#a${j}`] = attributeName(agg);
      values[`:a${j}`] = decimalValue(v, agg);
      adds.push(`#a${j} :a${j}`);
    });
    for (const [attr, value] of Object.entries(this.describe(spec, update))) {
      names[`#m_${attr}`] = attr;
      values[`:m_${attr}`] = value;
      sets.push(`#m_${attr} = :m_${attr}`);
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.itemKey(spec, update),
          UpdateExpression: `ADD ${adds.join(', ')} SET ${sets.join(', ')}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      counts.fastWrites++;
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        counts.conflicts++;
        return false;
      }
      throw new StoreError(`UpdateItem on ${this.tableName} failed for ${spec.name}/${update.key}`, {
        cause: err,
      });
    }
  }

  private async slowPath(
    spec: WindowedAggregateSpec,
    update: ItemUpdate,
    counts: ApplyCounts,
    refused: RefusedUpdate[],
    openGaps: ReadonlyMap<string, readonly Gap[]>,
  ): Promise<void> {
    const Key = this.itemKey(spec, update);
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const item = await this.read(Key, counts);
      const applied = new Map<string, number>();
      for (const pid of update.partitions.keys()) {
        const hw = readNumber(item?.[highWaterAttribute(pid)]);
        if (hw !== undefined) applied.set(pid, hw);
      }
      const remaining = remainingContribution(update, applied, spec.aggregations);
      if (remaining === null) {
        counts.alreadyApplied++;
        return;
      }
      if (item?.[CLOSED_AT_ATTRIBUTE] !== undefined) {
        // Closed for final results: what it holds is what was (or is being) emitted.
        refused.push({ update, appliedThrough: applied });
        return;
      }
      const stored = item === undefined ? emptyState() : stateOfItem(item, spec.aggregations);
      const merged = combine(stored, remaining.state, spec.aggregations);
      const version = readNumber(item?.v) ?? 0;
      const next: Record<string, unknown> = { ...(item ?? {}), ...Key, ...this.describe(spec, update) };
      next.count = merged.count;
      next.v = version + 1;
      for (const agg of spec.aggregations) {
        if (agg.op === 'count') continue;
        const v = merged.values[attributeName(agg)];
        if (v !== undefined) next[attributeName(agg)] = decimalValue(v, agg);
      }
      for (const pid of update.partitions.keys()) {
        for (const gap of openGaps.get(pid) ?? []) {
          const attr = gapAttribute(gap);
          if (next[attr] === undefined) next[attr] = gapProgress(gap, undefined, applied.get(pid));
        }
      }
      for (const [pid, hw] of remaining.highWaterMarks) next[highWaterAttribute(pid)] = hw;
      if (await this.putIfUnchanged(Key, item, next, version, counts, attempt)) return;
    }
    throw new StoreError(`gave up on ${Key.pk} ${Key.sk} after ${this.maxAttempts} conflicting attempts`, {
      code: 'STORE_CONTENTION',
    });
  }

  private async gapSlowPath(
    spec: WindowedAggregateSpec,
    gap: Gap,
    update: ItemUpdate,
    counts: ApplyCounts,
    refused: RefusedUpdate[],
  ): Promise<void> {
    const Key = this.itemKey(spec, update);
    const hwAttr = highWaterAttribute(gap.partitionId);
    const gapAttr = gapAttribute(gap);
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const item = await this.read(Key, counts);
      const progress = gapProgress(gap, readNumber(item?.[gapAttr]), readNumber(item?.[hwAttr]));
      const remaining = remainingContribution(
        update,
        new Map([[gap.partitionId, progress]]),
        spec.aggregations,
      );
      if (remaining === null) {
        counts.alreadyApplied++;
        return;
      }
      if (item?.[CLOSED_AT_ATTRIBUTE] !== undefined) {
        // Closed for final results while the gap was open: the final value stands, and the
        // gap's records past the item's gap progress are dead-lettered (WINDOW_FINAL).
        refused.push({ update, appliedThrough: new Map([[gap.partitionId, progress]]) });
        return;
      }
      const stored = item === undefined ? emptyState() : stateOfItem(item, spec.aggregations);
      const merged = combine(stored, remaining.state, spec.aggregations);
      const version = readNumber(item?.v) ?? 0;
      const next: Record<string, unknown> = { ...(item ?? {}), ...Key, ...this.describe(spec, update) };
      next.count = merged.count;
      next.v = version + 1;
      for (const agg of spec.aggregations) {
        if (agg.op === 'count') continue;
        const v = merged.values[attributeName(agg)];
        if (v !== undefined) next[attributeName(agg)] = decimalValue(v, agg);
      }
      // The gap mark moves, the high-water mark does not: it still speaks for the records
      // after the gap, which normal batches keep applying meanwhile.
      next[gapAttr] = remaining.highWaterMarks.get(gap.partitionId)!;
      if (await this.putIfUnchanged(Key, item, next, version, counts, attempt)) return;
    }
    throw new StoreError(`gave up on ${Key.pk} ${Key.sk} after ${this.maxAttempts} conflicting attempts`, {
      code: 'STORE_CONTENTION',
    });
  }

  private async read(
    Key: { pk: string; sk: string },
    counts: ApplyCounts,
  ): Promise<Record<string, unknown> | undefined> {
    try {
      const item = (
        await this.doc.send(new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true }))
      ).Item;
      counts.reads++;
      return item;
    } catch (err) {
      throw new StoreError(`GetItem on ${this.tableName} failed for ${Key.pk} ${Key.sk}`, { cause: err });
    }
  }

  /** Puts `next` if the item's version is still `version`; false (after a short backoff) when another writer came first. */
  private async putIfUnchanged(
    Key: { pk: string; sk: string },
    item: Record<string, unknown> | undefined,
    next: Record<string, unknown>,
    version: number,
    counts: ApplyCounts,
    attempt: number,
  ): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: next,
          ...(item === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#v = :v',
                ExpressionAttributeNames: { '#v': 'v' },
                ExpressionAttributeValues: { ':v': version },
              }),
        }),
      );
      counts.slowWrites++;
      return true;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) {
        throw new StoreError(`PutItem on ${this.tableName} failed for ${Key.pk} ${Key.sk}`, { cause: err });
      }
      counts.conflicts++;
      // Another invocation (another partition, or recovery) wrote the item in between: back off a little, re-read.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 5 * 2 ** attempt)));
      return false;
    }
  }
}

/**
 * Partitions one fast-path UpdateItem covers at most. Its condition and update expressions
 * grow by about 70 bytes and 4 operators per partition, and DynamoDB rejects expressions over
 * 4 KB or 300 operators (a ValidationException on every retry: the partition would stall).
 * 32 partitions use about 2.3 KB and 130 operators, leaving room for long aggregate names.
 */
export const MAX_PARTITIONS_PER_WRITE = 32;

/**
 * An item update split into updates of at most `max` partitions each. Each part is
 * idempotent on its own: its condition and marks concern its own partitions only, so a
 * crash between parts leaves some partitions applied and the redelivery applies the rest.
 */
export function chunkByPartitions(update: ItemUpdate, max: number): ItemUpdate[] {
  if (update.partitions.size <= max) return [update];
  const chunks: ItemUpdate[] = [];
  const entries = [...update.partitions];
  for (let i = 0; i < entries.length; i += max) {
    chunks.push({ key: update.key, window: update.window, partitions: new Map(entries.slice(i, i + max)) });
  }
  return chunks;
}

function decimalValue(scaled: number, agg: AggregationSpec): NumberValue {
  const scale = agg.op === 'count' ? 0 : (agg.scale ?? DEFAULT_SCALE);
  return NumberValue.from(scaledToDecimal(scaled, scale));
}

/** The aggregate state held by a stored item, in scaled units. */
export function stateOfItem(item: Record<string, unknown>, aggs: readonly AggregationSpec[]): AggregateState {
  const values: Record<string, number> = {};
  for (const agg of aggs) {
    if (agg.op === 'count') continue;
    const name = attributeName(agg);
    const raw = item[name];
    if (raw === undefined) continue;
    const n = readNumber(raw);
    if (n !== undefined) values[name] = decimalToScaled(n, agg.scale ?? DEFAULT_SCALE);
  }
  return { count: readNumber(item.count) ?? 0, values };
}
