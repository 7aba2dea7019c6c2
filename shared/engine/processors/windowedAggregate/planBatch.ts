import {
  type AggregateState,
  type AggregationSpec,
  combine,
  emptyState,
  stateOfRecord,
} from '../../aggregate/index.js';
import type { DecodedRecord } from '../../decode/decodedRecord.js';
import { InvalidRecordError } from '../../errors/index.js';
import { partitionId } from '../../event/lambdaKafkaEvent.js';
import { type DeadLetter, invalidDeadLetter, lateDeadLetter } from '../../process/deadLetter.js';
import { matchesFilter } from '../../process/filterSpec.js';
import type { BatchStats } from '../../process/processor.js';
import { eventTimeOf, keyOf } from '../../process/recordFields.js';
import type { ItemUpdate } from '../../store/aggregateUpdate.js';
import type { StreamTimeCheckpoint } from '../../store/CheckpointStore.js';
import {
  graceMsOf,
  isWindowClosed,
  NO_STREAM_TIME,
  type TimeWindow,
  windowAssigner,
} from '../../windows/index.js';
import type { WindowedAggregateSpec } from './windowedAggregateSpec.js';

/** The pure result of a batch: what to write, in which order being the store's business. */
export interface BatchPlan {
  readonly pipeline: WindowedAggregateSpec;
  readonly updates: ItemUpdate[];
  readonly deadLetters: DeadLetter[];
  readonly checkpoints: StreamTimeCheckpoint[];
  readonly stats: BatchStats;
}

/**
 * Plans a batch for one pipeline: filters, keys, windows and pre-aggregates every record so
 * the store makes one write per distinct (key, window), decides lateness per partition from
 * the stream time the partition had before the batch, and collects dead letters.
 *
 * Pure and deterministic: the same records with the same starting stream times always give
 * the same plan, whatever the batch boundaries around them. That is the property the
 * exactly-once store relies on.
 *
 * @param groups records per partition, each in offset order (see decodeEvent)
 * @param startStreamTimes stream time per partition id before its first record here; absent = none yet
 */
export function planBatch(
  spec: WindowedAggregateSpec,
  groups: ReadonlyArray<ReadonlyArray<DecodedRecord>>,
  startStreamTimes: ReadonlyMap<string, number>,
): BatchPlan {
  const aggs: readonly AggregationSpec[] = spec.aggregations;
  const graceMs = graceMsOf(spec.window);
  const assign = windowAssigner(spec.window);
  // Nested maps (key, then window start) rather than one map on a built string: no string per record.
  const items = new Map<string, Map<number, MutableItem>>();
  const updates: MutableItem[] = [];
  const deadLetters: DeadLetter[] = [];
  const checkpoints: StreamTimeCheckpoint[] = [];
  const stats: BatchStats = { records: 0, aggregated: 0, filtered: 0, late: 0, lateWindows: 0, invalid: 0 };

  for (const group of groups) {
    const first = group[0];
    if (!first) continue;
    const pid = partitionId(first.record.topic, first.record.partition);
    let streamTimeMs = startStreamTimes.get(pid) ?? NO_STREAM_TIME;
    for (const d of group) {
      stats.records++;
      if (d.error) {
        stats.invalid++;
        deadLetters.push(invalidDeadLetter(spec.name, d.record, d.error));
        continue;
      }
      if (!matchesFilter(d.value, spec.filter)) {
        stats.filtered++;
        continue;
      }
      let key: string;
      let timeMs: number;
      let state: AggregateState;
      try {
        key = keyOf(spec, d);
        timeMs = eventTimeOf(spec, d);
        state = stateOfRecord(d.value, aggs, d.record);
      } catch (err) {
        if (!(err instanceof InvalidRecordError)) throw err;
        stats.invalid++;
        deadLetters.push(invalidDeadLetter(spec.name, d.record, err));
        continue;
      }
      // Kafka Streams advances stream time before checking the record's own windows.
      if (timeMs > streamTimeMs) streamTimeMs = timeMs;
      let applied = 0;
      for (const window of assign(timeMs)) {
        if (isWindowClosed(window, graceMs, streamTimeMs)) {
          stats.lateWindows++;
          deadLetters.push(lateDeadLetter(spec.name, d.record, window, graceMs, streamTimeMs));
          continue;
        }
        applied++;
        let byWindow = items.get(key);
        if (!byWindow) {
          byWindow = new Map();
          items.set(key, byWindow);
        }
        let item = byWindow.get(window.startMs);
        if (!item) {
          item = { key, window, partitions: new Map() };
          byWindow.set(window.startMs, item);
          updates.push(item);
        }
        let c = item.partitions.get(pid);
        if (!c) {
          c = { partitionId: pid, offsets: [], states: [], total: emptyState() };
          item.partitions.set(pid, c);
        }
        c.offsets.push(d.record.offset);
        c.states.push(state);
        combine(c.total, state, aggs);
      }
      if (applied > 0) stats.aggregated++;
      else stats.late++;
    }
    const last = group[group.length - 1]!;
    checkpoints.push({ partitionId: pid, offset: last.record.offset, streamTimeMs });
  }
  return { pipeline: spec, updates, deadLetters, checkpoints, stats };
}

interface MutableItem {
  key: string;
  window: TimeWindow;
  partitions: Map<string, MutableContribution>;
}

interface MutableContribution {
  partitionId: string;
  offsets: number[];
  states: AggregateState[];
  total: AggregateState;
}
