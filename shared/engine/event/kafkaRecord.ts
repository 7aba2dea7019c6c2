import type { TimestampType } from './lambdaKafkaEvent.js';

/**
 * A decoded Kafka record: bytes instead of base64, headers as a list of name/bytes pairs
 * (Kafka allows a header name to repeat, so a map would lose data).
 */
export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Epoch milliseconds. */
  readonly timestampMs: number;
  readonly timestampType: TimestampType;
  /** `null` when the record has no key. */
  readonly key: Buffer | null;
  /** `null` for a tombstone. */
  readonly value: Buffer | null;
  readonly headers: ReadonlyArray<{ readonly name: string; readonly value: Buffer }>;
}

/** What a caller supplies to build a record; bytes may be given as strings (UTF-8). */
export interface KafkaRecordInput {
  topic: string;
  partition: number;
  offset: number;
  timestampMs: number;
  timestampType?: TimestampType;
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  headers?: ReadonlyArray<{ name: string; value: Buffer | string }>;
}
