import { isUtf8 } from 'node:buffer';
import type { InvalidRecordError } from '../errors/index.js';
import type { KafkaRecord } from '../event/index.js';
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
  /** The raw value as UTF-8 when it is valid UTF-8 (else null; `valueBase64` is always exact), null for tombstones. */
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
  // The readable copy only for valid UTF-8: invalid bytes become 3-byte replacement
  // characters, and with the base64 the item could pass DynamoDB's 400 KB limit. A cut
  // value may end inside a character, so only its whole characters are checked.
  const text = kept === null ? null : truncated ? wholeCharacters(kept) : kept;
  const readable = text !== null && isUtf8(text);
  const key = record.key === null ? null : record.key.subarray(0, MAX_DEAD_LETTER_KEY_BYTES);
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestampMs: record.timestampMs,
    key: key === null ? null : key.toString('utf8'),
    value: readable ? text.toString('utf8') : null,
    valueBase64: kept === null ? null : kept.toString('base64'),
    truncated,
  };
}

/** The longest prefix of `bytes` that does not end inside a UTF-8 sequence. */
function wholeCharacters(bytes: Buffer): Buffer {
  let end = bytes.length;
  // Step back over continuation bytes (10xxxxxx) to the start of the last character.
  let i = end - 1;
  while (i >= 0 && i > end - 4 && (bytes[i]! & 0xc0) === 0x80) i--;
  if (i >= 0) {
    const lead = bytes[i]!;
    const length = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (i + length > end) end = i;
  }
  return bytes.subarray(0, end);
}

/** Keys are kept up to this many bytes in a dead letter (a record key can be up to megabytes). */
const MAX_DEAD_LETTER_KEY_BYTES = 1024;

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

/**
 * The dead letter of a record whose window was already closed for final results when it
 * came (a partition let go as idle, see engine/final): late too, but told apart by its code,
 * `WINDOW_FINAL`, since by its own partition's stream time the window was still open.
 */
export function finalWindowDeadLetter(pipeline: string, record: KafkaRecord, window: TimeWindow): DeadLetter {
  return {
    pipeline,
    kind: 'late',
    ...rawFields(record),
    code: 'WINDOW_FINAL',
    reason: `window [${new Date(window.startMs).toISOString()}, ${new Date(window.endMs).toISOString()}) was already closed for final results (its result was emitted)`,
    windowStartMs: window.startMs,
    windowEndMs: window.endMs,
  };
}
