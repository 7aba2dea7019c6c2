import { type AggregateState, type AggregationSpec, stateOfRecord } from '../../aggregate/index.js';
import type { DecodedRecord } from '../../decode/decodedRecord.js';
import { InvalidRecordError } from '../../errors/index.js';
import { partitionId } from '../../event/lambdaKafkaEvent.js';
import { type DeadLetter, invalidDeadLetter, lateDeadLetter } from '../../process/deadLetter.js';
import { matchesFilter } from '../../process/filterSpec.js';
import type { BatchStats } from '../../process/processor.js';
import { eventTimeOf, keyOf } from '../../process/recordFields.js';
import type { StreamTimeCheckpoint } from '../../store/CheckpointStore.js';
import { NO_STREAM_TIME } from '../../windows/index.js';
import type { SessionSpec } from './sessionSpec.js';

/** One accepted record, reduced to what a session needs. */
export interface SessionRecord {
  readonly offset: number;
  readonly timeMs: number;
  readonly state: AggregateState;
}

/** The accepted records of one partition for one key, in offset order. */
export interface KeyContribution {
  readonly partitionId: string;
  readonly records: readonly SessionRecord[];
  /** The partition's stream time after this batch (the eviction heuristic reads it). */
  readonly streamTimeMs: number;
}

/** What a session pipeline writes for a batch, decided before anything is written. */
export interface SessionPlan {
  /** Per key, the contributions of each partition. */
  readonly keys: ReadonlyMap<string, KeyContribution[]>;
  readonly deadLetters: DeadLetter[];
  readonly checkpoints: StreamTimeCheckpoint[];
  readonly stats: BatchStats;
}

/**
 * True when a record is too late to count: t + gap + grace < its partition's stream time
 * (stream time already advanced by the record itself).
 *
 * Kafka Streams (`KStreamSessionWindowAggregate`, the newer code with emit strategies,
 * KIP-825) computes `windowCloseTime = observedStreamTime - grace - inactivityGap` and drops
 * a record when the session it would merge into ends before that (older releases used
 * `observedStreamTime - grace`). The record's own session [t, t] gives
 * the rule above; Kafka Streams also accepts an older record that extends a still-open
 * session backwards. That case is left out on purpose: whether such a session exists when
 * the record arrives depends on how other partitions' records interleave with it, and the
 * exactly-once effect needs a decision that depends on the record's own partition only, so
 * a redelivery with other batch boundaries, or beside other partitions, decides the same.
 */
export function isSessionRecordLate(
  timeMs: number,
  gapMs: number,
  graceMs: number,
  streamTimeMs: number,
): boolean {
  return timeMs + gapMs + graceMs < streamTimeMs;
}

/**
 * Plans a batch for one session pipeline (pure): filters, keys, times and aggregates each
 * record, decides lateness per partition from the stream time the partition had before the
 * batch, and groups the accepted records by key and partition. Merging is the store
 * shell's job (it needs the key's stored sessions); this part is the same for any batch
 * boundaries.
 */
export function planSessions(
  spec: SessionSpec,
  groups: ReadonlyArray<ReadonlyArray<DecodedRecord>>,
  startStreamTimes: ReadonlyMap<string, number>,
): SessionPlan {
  const aggs: readonly AggregationSpec[] = spec.aggregations;
  const keys = new Map<string, KeyContribution[]>();
  const deadLetters: DeadLetter[] = [];
  const checkpoints: StreamTimeCheckpoint[] = [];
  const stats: BatchStats = { records: 0, aggregated: 0, filtered: 0, late: 0, lateWindows: 0, invalid: 0 };

  for (const group of groups) {
    const first = group[0];
    if (!first) continue;
    const pid = partitionId(first.record.topic, first.record.partition);
    let streamTimeMs = startStreamTimes.get(pid) ?? NO_STREAM_TIME;
    const byKey = new Map<string, SessionRecord[]>();
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
      // Kafka Streams advances stream time before checking the record.
      if (timeMs > streamTimeMs) streamTimeMs = timeMs;
      if (isSessionRecordLate(timeMs, spec.gapMs, spec.graceMs, streamTimeMs)) {
        stats.late++;
        stats.lateWindows++;
        deadLetters.push({
          ...lateDeadLetter(
            spec.name,
            d.record,
            { startMs: timeMs, endMs: timeMs },
            spec.graceMs,
            streamTimeMs,
          ),
          reason: `session record at ${new Date(timeMs).toISOString()} is late: time + gap ${spec.gapMs} ms + grace ${spec.graceMs} ms < stream time ${new Date(streamTimeMs).toISOString()}`,
        });
        continue;
      }
      stats.aggregated++;
      let records = byKey.get(key);
      if (!records) {
        records = [];
        byKey.set(key, records);
      }
      records.push({ offset: d.record.offset, timeMs, state });
    }
    for (const [key, records] of byKey) {
      let contributions = keys.get(key);
      if (!contributions) {
        contributions = [];
        keys.set(key, contributions);
      }
      contributions.push({ partitionId: pid, records, streamTimeMs });
    }
    const last = group[group.length - 1]!;
    checkpoints.push({ partitionId: pid, offset: last.record.offset, streamTimeMs });
  }
  return { keys, deadLetters, checkpoints, stats };
}
