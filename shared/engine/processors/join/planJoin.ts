import type { DecodedRecord } from '../../decode/decodedRecord.js';
import { InvalidRecordError } from '../../errors/index.js';
import { partitionId } from '../../event/lambdaKafkaEvent.js';
import { type DeadLetter, invalidDeadLetter, lateDeadLetter } from '../../process/deadLetter.js';
import type { BatchStats } from '../../process/processor.js';
import { eventTimeOf, fieldValue, keyOf } from '../../process/recordFields.js';
import type { StreamTimeCheckpoint } from '../../store/CheckpointStore.js';
import { NO_STREAM_TIME } from '../../windows/lateness.js';
import { type JoinSide, type JoinSpec, sideOfTopic } from './joinSpec.js';

/** A record waiting for partners: what the buffer holds and a pair is made from. */
export interface BufferEntry {
  readonly side: JoinSide;
  readonly key: string;
  readonly timeMs: number;
  /** `<topic>/<partition>/<offset>`: the record's identity, and half of a pair's. */
  readonly id: string;
  /** The side's `fields` of the decoded value (all of them by default). */
  readonly value: Readonly<Record<string, unknown>>;
}

/** What a join does with a batch, decided before anything is written. */
export interface JoinPlan {
  /** Records to buffer and match, in offset order per partition. */
  readonly entries: BufferEntry[];
  readonly deadLetters: DeadLetter[];
  readonly checkpoints: StreamTimeCheckpoint[];
  readonly stats: BatchStats;
}

/**
 * True when a join record arrives after its window closed: it could only pair with records
 * at most `windowMs` after it, and those are accepted until `graceMs` later.
 * @see Kafka Streams `KStreamKStreamJoin`: a record is joined while
 *   `timestamp + joinAfterMs + joinGraceMs >= streamTime` (strict `<` closes, unlike the
 *   windowed aggregation's `end + grace <= streamTime`, whose window end is exclusive).
 */
export function isJoinRecordLate(
  timeMs: number,
  windowMs: number,
  graceMs: number,
  streamTimeMs: number,
): boolean {
  return timeMs + windowMs + graceMs < streamTimeMs;
}

/** The identity of a record in a join: its coordinates, unique across both topics. */
export function recordId(topic: string, partition: number, offset: number): string {
  return `${topic}/${partition}/${offset}`;
}

/**
 * Plans a join batch (pure): each valid record of either side becomes a buffer entry unless
 * it is late for its partition's stream time (advanced by the record first, as Kafka Streams
 * does); undecodable records and records without key or time are invalid dead letters.
 */
export function planJoin(
  spec: JoinSpec,
  groups: ReadonlyArray<ReadonlyArray<DecodedRecord>>,
  startStreamTimes: ReadonlyMap<string, number>,
): JoinPlan {
  const entries: BufferEntry[] = [];
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
      const r = d.record;
      const side = sideOfTopic(spec, r.topic);
      try {
        if (d.error) throw d.error;
        if (!side) {
          throw new InvalidRecordError(
            `record of topic ${r.topic}, but join ${spec.name} reads ${spec.left.topic} and ${spec.right.topic}`,
            {
              coordinates: r,
              field: 'topic',
              code: 'WRONG_TOPIC',
            },
          );
        }
        const sideSpec = spec[side];
        const key = keyOf(sideSpec, d);
        const timeMs = eventTimeOf(sideSpec, d);
        if (timeMs > streamTimeMs) streamTimeMs = timeMs;
        if (isJoinRecordLate(timeMs, spec.windowMs, spec.graceMs, streamTimeMs)) {
          stats.late++;
          stats.lateWindows++;
          deadLetters.push(lateJoinDeadLetter(spec, d, timeMs, streamTimeMs));
          continue;
        }
        const value = sideSpec.fields
          ? Object.fromEntries(sideSpec.fields.map((f) => [f, fieldValue(d.value, f) ?? null]))
          : d.value;
        entries.push({ side, key, timeMs, id: recordId(r.topic, r.partition, r.offset), value });
        stats.aggregated++;
      } catch (err) {
        if (!(err instanceof InvalidRecordError)) throw err;
        stats.invalid++;
        deadLetters.push(invalidDeadLetter(spec.name, r, err));
      }
    }
    const last = group[group.length - 1]!;
    checkpoints.push({ partitionId: pid, offset: last.record.offset, streamTimeMs });
  }
  return { entries, deadLetters, checkpoints, stats };
}

/** A late dead letter whose "window" is the span of partner times the record could have had. */
function lateJoinDeadLetter(
  spec: JoinSpec,
  d: DecodedRecord,
  timeMs: number,
  streamTimeMs: number,
): DeadLetter {
  const window = { startMs: timeMs - spec.windowMs, endMs: timeMs + spec.windowMs };
  return {
    ...lateDeadLetter(spec.name, d.record, window, spec.graceMs, streamTimeMs),
    reason: `join window of ${new Date(timeMs).toISOString()} closed: time + window ${spec.windowMs} ms + grace ${spec.graceMs} ms < stream time ${new Date(streamTimeMs).toISOString()}`,
  };
}
