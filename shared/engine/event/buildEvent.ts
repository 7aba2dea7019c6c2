import type { KafkaRecord, KafkaRecordInput } from './kafkaRecord.js';
import {
  type KafkaEventSource,
  type LambdaKafkaEvent,
  type LambdaKafkaRecord,
  partitionId,
} from './lambdaKafkaEvent.js';

/** Options for {@link buildEvent}. */
export interface BuildEventOptions {
  /** @default 'msk' */
  source?: 'msk' | 'self-managed';
  /** @default a made-up MSK cluster ARN (MSK only) */
  eventSourceArn?: string;
  /** @default '127.0.0.1:9092' */
  bootstrapServers?: string;
}

const SAMPLE_ARN =
  'arn:aws:kafka:us-east-1:123456789012:cluster/local/00000000-0000-4000-8000-000000000000-1';

function toBuffer(v: Buffer | string | null | undefined): Buffer | null {
  if (v == null) return null;
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

/** Encodes one record as Lambda does: base64 key/value, headers as byte arrays. */
export function toLambdaRecord(input: KafkaRecordInput | KafkaRecord): LambdaKafkaRecord {
  const key = toBuffer(input.key);
  const value = toBuffer(input.value);
  const timestampMs = input.timestampMs;
  const rec: LambdaKafkaRecord = {
    topic: input.topic,
    partition: input.partition,
    offset: input.offset,
    timestamp: timestampMs,
    timestampType: input.timestampType ?? 'CREATE_TIME',
    value: value === null ? null : value.toString('base64'),
    headers: (input.headers ?? []).map((h) => ({ [h.name]: [...(toBuffer(h.value) ?? Buffer.alloc(0))] })),
  };
  // Lambda omits the key of key-less records rather than sending null.
  if (key !== null) rec.key = key.toString('base64');
  return rec;
}

/**
 * Builds a Lambda Kafka event from records, grouping them under `"topic-partition"` in the
 * order given. Used for sample events, the CLI and the local event-source-mapping runner,
 * so the handlers see exactly what AWS would send.
 */
export function buildEvent(
  records: ReadonlyArray<KafkaRecordInput | KafkaRecord>,
  options: BuildEventOptions = {},
): LambdaKafkaEvent {
  const grouped: Record<string, LambdaKafkaRecord[]> = {};
  for (const r of records) {
    const id = partitionId(r.topic, r.partition);
    (grouped[id] ??= []).push(toLambdaRecord(r));
  }
  const source: KafkaEventSource = options.source === 'self-managed' ? 'SelfManagedKafka' : 'aws:kafka';
  const event: LambdaKafkaEvent = {
    eventSource: source,
    bootstrapServers: options.bootstrapServers ?? '127.0.0.1:9092',
    records: grouped,
  };
  if (source === 'aws:kafka') event.eventSourceArn = options.eventSourceArn ?? SAMPLE_ARN;
  return event;
}

/** Size of the event as Lambda measures its payload (JSON bytes): the 6 MB cap applies to it. */
export function eventSizeBytes(event: LambdaKafkaEvent): number {
  return Buffer.byteLength(JSON.stringify(event), 'utf8');
}
