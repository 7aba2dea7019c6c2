import type * as z from 'zod/v4/core';
import { safeParse } from 'zod/v4/core';
import { InvalidRecordError } from '../errors/index.js';
import type { KafkaRecord } from '../event/index.js';

/**
 * Turns a record's value bytes into a typed object, or throws {@link InvalidRecordError}
 * naming the record and the field. Codecs are pure and synchronous so the pipeline core
 * stays pure; a codec that needs I/O first (Avro: the writer schemas of a batch's ids) does
 * it in `prepare`, which the engine awaits once per batch before any `decode`.
 */
export interface ValueCodec<T> {
  /** Short name used in specs, the CLI and dead letters (`json`, `csv`, `avro`). */
  readonly name: string;
  decode(record: KafkaRecord): T;
  /**
   * Async work before decoding a batch (fetch and cache what `decode` will need). It throws
   * only when the batch should be retried (a registry outage); a bad record is `decode`'s to
   * dead-letter. @default none: the codec needs nothing
   */
  prepare?(records: ReadonlyArray<KafkaRecord>): Promise<void>;
}

/** A codec with a `prepare` step (Avro with a schema registry). */
export interface PreparedValueCodec<T> extends ValueCodec<T> {
  prepare(records: ReadonlyArray<KafkaRecord>): Promise<void>;
}

/** Throws the dead-letter-worthy error for a tombstone (a null value). */
export function requireValue(record: KafkaRecord): Buffer {
  if (record.value === null) {
    throw new InvalidRecordError('tombstone: the record has a null value but this pipeline needs one', {
      coordinates: record,
      field: 'value',
      code: 'TOMBSTONE',
    });
  }
  return record.value;
}

/** Validates a parsed object with a zod schema; the error names every failing field. */
export function validate<S extends z.$ZodType>(schema: S, input: unknown, record: KafkaRecord): z.output<S> {
  // The core's safeParse takes classic and zod/mini schemas alike (the engine's are mini).
  const result = safeParse(schema, input);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const first = issues[0];
  const field = first && first.path.length > 0 ? first.path.join('.') : undefined;
  const detail = issues
    .slice(0, 3)
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
  throw new InvalidRecordError(
    `schema: ${detail}${issues.length > 3 ? ` (+${issues.length - 3} more)` : ''}`,
    {
      coordinates: record,
      field,
      cause: result.error,
      code: 'SCHEMA',
    },
  );
}
