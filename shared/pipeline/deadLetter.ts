import type { InvalidRecordError } from '../errors/index.js';
import type { KafkaRecord } from '../kafka/index.js';
import type { TimeWindow } from '../windows/index.js';

/**
 * A record a pipeline did not aggregate, kept with enough to find, understand and replay it.
 * `invalid`: it could not be decoded, failed its schema, or was a tombstone.
 * `late`: its window had closed (window end + grace <= stream time); one entry per closed
 * window, so a hopping-window record late for its older window only is still counted in
 * the newer one.
 */
export interface DeadLetter {
  readonly pipeline: string;
  readonly kind: 'invalid' | 'late';
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestampMs: number;
  /** Stable machine-readable reason: `SCHEMA`, `NOT_JSON`, `TOMBSTONE`, `LATE`, ... */
  readonly code: string;
  /** Human-readable reason naming the field. */
  readonly reason: string;
  readonly field?: string;
  /** The record key as UTF-8, null when absent. */
  readonly key: string | null;
  /** The raw value as UTF-8 (lossy for binary values; `valueBase64` is exact), null for tombstones. */
  readonly value: string | null;
  readonly valueBase64: string | null;
  /** True when the value was cut to {@link MAX_DEAD_LETTER_VALUE_BYTES} to fit a DynamoDB item. */
  readonly truncated: boolean;
  /** For `late`: the closed window and the stream time that closed it. */
  readonly windowStartMs?: number;
  readonly windowEndMs?: number;
  readonly streamTimeMs?: number;
}

/** DynamoDB items are at most 400 KB; keep room for the rest of the item. */
export const MAX_DEAD_LETTER_VALUE_BYTES = 100_000;

function rawFields(record: KafkaRecord) {
  const value = record.value;
  const truncated = value !== null && value.length > MAX_DEAD_LETTER_VALUE_BYTES;
  const kept = value === null ? null : truncated ? value.subarray(0, MAX_DEAD_LETTER_VALUE_BYTES) : value;
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestampMs: record.timestampMs,
    key: record.key === null ? null : record.key.toString('utf8'),
    value: kept === null ? null : kept.toString('utf8'),
    valueBase64: kept === null ? null : kept.toString('base64'),
    truncated,
  };
}

/** The dead letter of a record that failed to decode or validate. */
export function invalidDeadLetter(
  pipeline: string,
  record: KafkaRecord,
  error: InvalidRecordError,
): DeadLetter {
  return {
    pipeline,
    kind: 'invalid',
    ...rawFields(record),
    code: error.code,
    reason: error.message,
    ...(error.field === undefined ? {} : { field: error.field }),
  };
}

/** The dead letter of a record that arrived after its window closed. */
export function lateDeadLetter(
  pipeline: string,
  record: KafkaRecord,
  window: TimeWindow,
  graceMs: number,
  streamTimeMs: number,
): DeadLetter {
  return {
    pipeline,
    kind: 'late',
    ...rawFields(record),
    code: 'LATE',
    reason: `window [${new Date(window.startMs).toISOString()}, ${new Date(window.endMs).toISOString()}) closed: end + grace ${graceMs} ms <= stream time ${new Date(streamTimeMs).toISOString()}`,
    windowStartMs: window.startMs,
    windowEndMs: window.endMs,
    streamTimeMs,
  };
}
