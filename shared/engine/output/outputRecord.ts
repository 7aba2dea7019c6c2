import type { KafkaRecord } from '../event/kafkaRecord.js';

/** A record a pipeline writes to an output topic. */
export interface OutputRecord {
  readonly topic: string;
  /** Deterministic: the same source record always gives the same key (partition choice follows it). */
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** The source record's headers (unless the spec drops them) and {@link SOURCE_HEADER}. */
  readonly headers: ReadonlyArray<{ readonly name: string; readonly value: Buffer }>;
  /** The source record's timestamp, so event time survives the hop. */
  readonly timestampMs: number;
}

/**
 * The header every output record carries: which pipeline wrote it from which source record,
 * as `<pipeline>/<topic>/<partition>/<offset>`. A redelivered batch can send a record again
 * (at-least-once output); the copies carry the same value, so a consumer that remembers the
 * values it saw drops the duplicates (see {@link OutputDeduplicator}, `consume --dedupe`).
 */
export const SOURCE_HEADER = 'kls-source';

/** The {@link SOURCE_HEADER} value for a pipeline and its source record. */
export function sourceOf(
  pipeline: string,
  record: Pick<KafkaRecord, 'topic' | 'partition' | 'offset'>,
): string {
  return `${pipeline}/${record.topic}/${record.partition}/${record.offset}`;
}

/** Parsed {@link SOURCE_HEADER}: undefined when the header is absent or not of this format. */
export function parseSource(
  value: string,
): { pipeline: string; topic: string; partition: number; offset: number } | undefined {
  // The topic may contain neither '/' nor spaces (Kafka topic names: [a-zA-Z0-9._-]), the
  // pipeline neither: split from both ends.
  const m = /^([a-z0-9][a-z0-9-]*)\/([a-zA-Z0-9._-]+)\/(\d+)\/(\d+)$/.exec(value);
  if (!m) return undefined;
  return { pipeline: m[1]!, topic: m[2]!, partition: Number(m[3]), offset: Number(m[4]) };
}

/** The {@link SOURCE_HEADER} of a record's headers, if any (the last one, if it repeats). */
export function sourceHeader(
  headers: ReadonlyArray<{ readonly name: string; readonly value: Buffer | string }>,
): string | undefined {
  let found: string | undefined;
  for (const h of headers) if (h.name === SOURCE_HEADER) found = h.value.toString();
  return found;
}
