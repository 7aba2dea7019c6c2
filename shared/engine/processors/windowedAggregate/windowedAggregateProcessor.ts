import { attributeName } from '../../aggregate/index.js';
import type { DecodedRecord } from '../../decode/decodedRecord.js';
import { partitionId } from '../../event/lambdaKafkaEvent.js';
import { finalizeWindows } from '../../final/finalizeWindows.js';
import { type DeadLetter, finalWindowDeadLetter } from '../../process/deadLetter.js';
import type { BatchStats, Processor } from '../../process/processor.js';
import type { RefusedUpdate } from '../../store/AggregateStore.js';
import type { ItemUpdate } from '../../store/aggregateUpdate.js';
import { planBatch } from './planBatch.js';
import { type WindowedAggregateSpec, windowedAggregateSchema } from './windowedAggregateSpec.js';

/**
 * Windowed aggregation into the aggregates table: plan the batch (pure: filter, key,
 * window, lateness, pre-aggregation per (key, window)), then apply one update per item
 * through the AggregateStore, idempotently. With `final`, after the batch's checkpoints it
 * emits the windows the watermark closed (see engine/final), and records for windows
 * already closed that way become `WINDOW_FINAL` dead letters.
 */
export const windowedAggregateProcessor: Processor<WindowedAggregateSpec> = {
  kind: 'windowed-aggregate',
  validate(spec) {
    const parsed = windowedAggregateSchema.safeParse(spec);
    if (!parsed.success) return parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    // Two writes of one attribute in an update expression are rejected by DynamoDB.
    const attributes = spec.aggregations.map(attributeName);
    const repeated = attributes.filter((a, i) => attributes.indexOf(a) !== i);
    return repeated.length > 0 ? [`aggregation ${repeated[0]} is listed twice`] : [];
  },
  async process({ spec, groups, startStreamTimes, stores }) {
    const plan = planBatch(spec, groups, startStreamTimes);
    const { counts, refused } = await stores.aggregates.applyUpdates(spec, plan.updates);
    const refusal =
      refused.length === 0
        ? { deadLetters: [], stats: plan.stats }
        : refusedRecords(spec, groups, plan.updates, refused, plan.stats);
    return {
      stats: refusal.stats,
      deadLetters: [...plan.deadLetters, ...refusal.deadLetters],
      checkpoints: plan.checkpoints,
      writes: { ...counts, itemWrites: counts.fastWrites + counts.slowWrites },
      items: plan.updates.length,
    };
  },
  async afterCheckpoints({ spec, stores, sink, nowMs }): Promise<Readonly<Record<string, number>>> {
    if (!spec.final) return {};
    const { emitted, marked } = await finalizeWindows(
      { ...spec, final: spec.final },
      { stores, sink, nowMs },
    );
    return { finalEmitted: emitted, finalMarked: marked };
  },
};

/**
 * The dead letters of records the store refused (their window closed for final results)
 * and the stats corrected for them: a refused (record, window) pair counts in
 * `lateWindows`, and a record none of whose windows took it moves from aggregated to late.
 */
function refusedRecords(
  spec: WindowedAggregateSpec,
  groups: ReadonlyArray<ReadonlyArray<DecodedRecord>>,
  updates: readonly ItemUpdate[],
  refused: readonly RefusedUpdate[],
  planned: BatchStats,
): { deadLetters: DeadLetter[]; stats: BatchStats } {
  const records = new Map<string, DecodedRecord>();
  for (const g of groups)
    for (const d of g)
      records.set(`${partitionId(d.record.topic, d.record.partition)}@${d.record.offset}`, d);
  const windowsOf = new Map<string, number>();
  for (const u of updates) {
    for (const c of u.partitions.values()) {
      for (const offset of c.offsets) {
        const id = `${c.partitionId}@${offset}`;
        windowsOf.set(id, (windowsOf.get(id) ?? 0) + 1);
      }
    }
  }
  const stats = { ...planned };
  const deadLetters: DeadLetter[] = [];
  for (const { update, appliedThrough } of refused) {
    for (const c of update.partitions.values()) {
      const done = appliedThrough.get(c.partitionId) ?? Number.NEGATIVE_INFINITY;
      for (const offset of c.offsets) {
        if (offset <= done) continue;
        const id = `${c.partitionId}@${offset}`;
        const d = records.get(id)!;
        deadLetters.push(finalWindowDeadLetter(spec.name, d.record, update.window));
        stats.lateWindows++;
        const left = windowsOf.get(id)! - 1;
        windowsOf.set(id, left);
        if (left === 0) {
          stats.aggregated--;
          stats.late++;
        }
      }
    }
  }
  return { deadLetters, stats };
}
