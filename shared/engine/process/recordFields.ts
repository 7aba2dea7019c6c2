import { InvalidRecordError } from '../errors/index.js';
import type { KafkaRecord } from '../event/index.js';
import type { KeySpec, TimeSpec } from './pipelineSpec.js';

/**
 * A field of a decoded value by name or dotted path: `PULocationID`, or `address.state` for
 * a nested object (Confluent's datagen orders). A name that exists as it is wins, so fields
 * whose names contain dots still read.
 */
export function fieldValue(value: Record<string, unknown>, path: string): unknown {
  if (path in value || !path.includes('.')) return value[path];
  let v: unknown = value;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/**
 * Longest group key accepted, in UTF-8 bytes. DynamoDB limits a partition key to 2048 bytes
 * and the item's key is `<pipeline>#<key>`; a longer key would fail the write on every
 * retry (a poison batch), so it is rejected as an invalid record instead.
 */
export const MAX_KEY_BYTES = 1024;

/** The group key of a decoded record, or an InvalidRecordError naming the field. */
export function keyOf(
  spec: { readonly key: KeySpec },
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
  } else if ('fields' in k) {
    field = k.fields.join(',');
    key = k.fields.map((f) => keyPart(d, f, true)).join(COMPOSITE_KEY_SEPARATOR);
  } else {
    field = k.field;
    key = keyPart(d, k.field, false);
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

/** Joins the parts of a composite key (see KeySpec `fields`). */
export const COMPOSITE_KEY_SEPARATOR = '|';

/** One key field as a string, or an InvalidRecordError naming it. */
function keyPart(
  d: { record: KafkaRecord; value: Record<string, unknown> },
  field: string,
  composite: boolean,
): string {
  const v = fieldValue(d.value, field);
  if (v === undefined || v === null || v === '') {
    throw new InvalidRecordError(`key field ${field} is missing`, {
      coordinates: d.record,
      field,
      code: 'NO_KEY',
    });
  }
  // An object would be grouped as "[object Object]": every such record under one key.
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
    throw new InvalidRecordError(
      `key field ${field} is a ${Array.isArray(v) ? 'list' : typeof v}, expected a string or number`,
      { coordinates: d.record, field, code: 'BAD_KEY' },
    );
  }
  const text = String(v);
  // "a|b" + "c" and "a" + "b|c" would otherwise be one key.
  if (composite && text.includes(COMPOSITE_KEY_SEPARATOR)) {
    throw new InvalidRecordError(
      `key field ${field} contains "${COMPOSITE_KEY_SEPARATOR}", which separates the parts of a composite key`,
      { coordinates: d.record, field, code: 'BAD_KEY' },
    );
  }
  return text;
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
  spec: { readonly time: TimeSpec },
  d: { record: KafkaRecord; value: Record<string, unknown> },
): number {
  const t = spec.time;
  const field = 'kafkaTimestamp' in t ? 'timestamp' : t.field;
  const v = 'kafkaTimestamp' in t ? d.record.timestampMs : fieldValue(d.value, t.field);
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
