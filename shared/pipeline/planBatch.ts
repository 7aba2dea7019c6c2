import {
  type AggregateState,
  type AggregationSpec,
  cloneState,
  combine,
  emptyState,
  stateOfRecord,
} from '../aggregate/index.js';
import { InvalidRecordError } from '../errors/index.js';
import { type KafkaRecord, partitionId } from '../kafka/index.js';
import {
  graceMsOf,
  isWindowClosed,
  NO_STREAM_TIME,
  type TimeWindow,
  windowAssigner,
} from '../windows/index.js';
import { type DeadLetter, invalidDeadLetter, lateDeadLetter } from './deadLetter.js';
import { matchesFilter } from './filterSpec.js';
import type { PipelineSpec } from './pipelineSpec.js';

/** A record after its codec ran: a value, or the error that makes it a dead letter. */
export type DecodedRecord =
  | { readonly record: KafkaRecord; readonly value: Record<string, unknown>; readonly error?: undefined }
  | { readonly record: KafkaRecord; readonly value?: undefined; readonly error: InvalidRecordError };

/** One partition's share of an item update: which offsets it covers and what they add. */
export interface PartitionContribution {
  readonly partitionId: string;
  /** Offsets of the records that contribute, ascending. */
  readonly offsets: readonly number[];
  /** `states[i]` is what `offsets[i]` adds (parallel arrays: no object per record in the hot loop). */
  readonly states: readonly AggregateState[];
  /** The combined state of all of them. */
  readonly total: AggregateState;
}

/** Everything a batch adds to one (key, window) item. */
export interface ItemUpdate {
  readonly key: string;
  readonly window: TimeWindow;
  readonly partitions: ReadonlyMap<string, PartitionContribution>;
}

/**
 * Stream time after the last record of a partition in a batch, stored so the next batch
 * (or a redelivery with other boundaries) starts from exactly the stream time the first
 * pass had at that offset.
 */
export interface StreamTimeCheckpoint {
  readonly partitionId: string;
  /** Offset of the partition's last record in the batch. */
  readonly offset: number;
  /** Largest event time seen up to and including that offset; -Infinity when none. */
  readonly streamTimeMs: number;
}

/** Counts for logs and metrics. Per delivery: a redelivered batch is counted again. */
export interface BatchStats {
  records: number;
  /** Applied to at least one window. */
  aggregated: number;
  /** Dropped by the spec's filter (not dead letters: the pipeline does not want them). */
  filtered: number;
  /** Applied to no window because every one of its windows had closed. */
  late: number;
  /** (record, window) pairs dropped because that window had closed; >= late. */
  lateWindows: number;
  invalid: number;
}

/** The pure result of a batch: what to write, in which order being the store's business. */
export interface BatchPlan {
  readonly pipeline: PipelineSpec;
  readonly updates: ItemUpdate[];
  readonly deadLetters: DeadLetter[];
  readonly checkpoints: StreamTimeCheckpoint[];
  readonly stats: BatchStats;
}

/**
 * Longest group key accepted, in UTF-8 bytes. DynamoDB limits a partition key to 2048 bytes
 * and the item's key is `<pipeline>#<key>`; a longer key would fail the write on every
 * retry (a poison batch), so it is rejected as an invalid record instead.
 */
export const MAX_KEY_BYTES = 1024;

/** The group key of a decoded record, or an InvalidRecordError naming the field. */
export function keyOf(
  spec: PipelineSpec,
  d: { record: KafkaRecord; value: Record<string, unknown> },
): string {
  const k = spec.key;
  if ('constant' in k) return k.constant;
  let key: string;
  let field: string;
  if ('kafkaKey' in k) {
    field = 'key';
    if (d.record.key === null) {
      throw new InvalidRecordError('the record has no Kafka key but the pipeline groups by it', {
        coordinates: d.record,
        field,
        code: 'NO_KEY',
      });
    }
    key = d.record.key.toString('utf8');
  } else {
    field = k.field;
    const v = d.value[k.field];
    if (v === undefined || v === null || v === '') {
      throw new InvalidRecordError(`key field ${k.field} is missing`, {
        coordinates: d.record,
        field,
        code: 'NO_KEY',
      });
    }
    // An object would be grouped as "[object Object]": every such record under one key.
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new InvalidRecordError(
        `key field ${k.field} is a ${Array.isArray(v) ? 'list' : typeof v}, expected a string or number`,
        {
          coordinates: d.record,
          field,
          code: 'BAD_KEY',
        },
      );
    }
    key = String(v);
  }
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) {
    throw new InvalidRecordError(
      `key (${field}) is ${bytes} bytes long, more than the ${MAX_KEY_BYTES} a DynamoDB key allows here`,
      {
        coordinates: d.record,
        field,
        code: 'KEY_TOO_LONG',
      },
    );
  }
  return key;
}

/**
 * Event times accepted: 1970-01-01 (the epoch) to the end of year 9999.
 * - Before the epoch: Kafka Streams starts no window below 0 and its timestamp extractors
 *   reject negative timestamps, so the project does the same rather than invent windows
 *   Kafka Streams would never produce (a pre-1970 time is almost always a parsing mistake).
 * - After 9999: window starts have no ISO-8601 sort key, and at absurd magnitudes window
 *   arithmetic loses precision (a time in epoch nanoseconds, 1.7e18, is the usual culprit).
 * Such a record is invalid (BAD_TIME), not a poison batch.
 */
export const MIN_EVENT_TIME_MS = 0; // 1970-01-01T00:00:00Z
export const MAX_EVENT_TIME_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
/** The event time of a decoded record in epoch ms, or an InvalidRecordError naming the field. */
export function eventTimeOf(
  spec: PipelineSpec,
  d: { record: KafkaRecord; value: Record<string, unknown> },
): number {
  const t = spec.time;
  const field = 'kafkaTimestamp' in t ? 'timestamp' : t.field;
  const v = 'kafkaTimestamp' in t ? d.record.timestampMs : d.value[t.field];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new InvalidRecordError(`time field ${field} is ${JSON.stringify(v)}, expected epoch ms`, {
      coordinates: d.record,
      field,
      code: 'NO_TIME',
    });
  }
  if (v < MIN_EVENT_TIME_MS || v > MAX_EVENT_TIME_MS) {
    throw new InvalidRecordError(
      v < MIN_EVENT_TIME_MS
        ? `time field ${field} is ${v}, before 1970-01-01 (Kafka Streams starts no window before the epoch)`
        : `time field ${field} is ${v}, after year 9999 (epoch ms expected, not µs or ns)`,
      {
        coordinates: d.record,
        field,
        code: 'BAD_TIME',
      },
    );
  }
  return v;
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
  spec: PipelineSpec,
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

/**
 * What an item update adds once the offsets the item has already applied are removed.
 * `appliedThrough` maps partition id to the highest offset already in the item.
 * @returns the remaining state and, per partition, the new high-water mark; null when
 *   everything was applied before (a pure redelivery).
 */
export function remainingContribution(
  update: ItemUpdate,
  appliedThrough: ReadonlyMap<string, number>,
  aggs: readonly AggregationSpec[],
): { state: AggregateState; highWaterMarks: Map<string, number> } | null {
  let state: AggregateState | null = null;
  const highWaterMarks = new Map<string, number>();
  for (const [pid, c] of update.partitions) {
    const done = appliedThrough.get(pid) ?? Number.NEGATIVE_INFINITY;
    for (let i = 0; i < c.offsets.length; i++) {
      const offset = c.offsets[i]!;
      if (offset <= done) continue;
      const s = c.states[i]!;
      state = state === null ? cloneState(s) : combine(state, s, aggs);
      highWaterMarks.set(pid, offset);
    }
  }
  return state === null ? null : { state, highWaterMarks };
}

/** Decodes every record of every partition with a codec, turning failures into values. */
export function decodeGroups(
  groups: ReadonlyArray<ReadonlyArray<KafkaRecord>>,
  decode: (r: KafkaRecord) => unknown,
): DecodedRecord[][] {
  return groups.map((g) =>
    g.map((record): DecodedRecord => {
      try {
        const value = decode(record);
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          return {
            record,
            error: new InvalidRecordError('value is not an object', {
              coordinates: record,
              field: 'value',
              code: 'SCHEMA',
            }),
          };
        }
        return { record, value: value as Record<string, unknown> };
      } catch (err) {
        if (err instanceof InvalidRecordError) return { record, error: err };
        return {
          record,
          error: new InvalidRecordError(`codec failed: ${(err as Error).message}`, {
            coordinates: record,
            cause: err,
          }),
        };
      }
    }),
  );
}
