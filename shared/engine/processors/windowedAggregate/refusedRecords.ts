import type { DecodedRecord } from '../../decode/decodedRecord.js';
import { partitionId } from '../../event/lambdaKafkaEvent.js';
import { type DeadLetter, finalWindowDeadLetter } from '../../process/deadLetter.js';
import type { BatchStats } from '../../process/processor.js';
import type { RefusedUpdate } from '../../store/AggregateStore.js';
import type { ItemUpdate } from '../../store/aggregateUpdate.js';
import type { WindowedAggregateSpec } from './windowedAggregateSpec.js';

/**
 * The dead letters of records the store refused (their window closed for final results)
 * and the stats corrected for them: a refused (record, window) pair counts in
 * `lateWindows`, and a record none of whose windows took it moves from aggregated to late.
 */
export function refusedRecords(
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
