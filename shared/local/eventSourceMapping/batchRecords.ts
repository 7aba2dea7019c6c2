import { ConfigError, InvalidRecordError } from '../../engine/errors/index.js';
import {
  type BuildEventOptions,
  buildEvent,
  eventSizeBytes,
  type KafkaRecordInput,
  type LambdaKafkaEvent,
  type LambdaKafkaRecord,
  partitionId,
  toLambdaRecord,
} from '../../engine/event/index.js';
import { partitionForKey } from '../../kafka/index.js';
import { EventSizer } from './EventSizer.js';

/** A record as a producer hands it to Kafka: the broker has not given it a partition or offset yet. */
export interface ProducerRecord {
  /** `null` for a key-less record (spread round-robin over partitions). */
  readonly key: string | Buffer | null;
  /** `null` for a tombstone. */
  readonly value: string | Buffer | null;
  /** The record timestamp (CREATE_TIME), epoch ms. */
  readonly timestampMs: number;
  readonly headers?: ReadonlyArray<{ readonly name: string; readonly value: string | Buffer }>;
  /** Where the record came from (e.g. `data/rides.csv:12`), only for error messages. */
  readonly origin?: string;
}

/** Lambda's default batch size for Kafka event-source mappings. */
export const DEFAULT_BATCH_SIZE = 100;
/** The largest batch size an event-source mapping accepts. */
export const MAX_BATCH_SIZE = 10_000;
/** One invocation carries at most 6 MB (Lambda's synchronous payload limit). */
export const MAX_EVENT_BYTES = 6 * 1024 * 1024;

/** How records are put on partitions. */
export interface PartitionOptions {
  readonly topic: string;
  /** @default 1 */
  readonly partitions?: number;
  /** First offset of each partition (index = partition). @default 0 for every partition */
  readonly startOffsets?: readonly number[];
}

/** How partitioned records are cut into events. */
export interface EventBatchOptions extends BuildEventOptions {
  /** Records per event at most. @default 100 (Lambda's default); at most 10,000 */
  readonly batchSize?: number;
  /** JSON bytes per event at most. @default 6 MB */
  readonly maxEventBytes?: number;
}

/** Options of {@link batchRecords}. */
export type BatchRecordsOptions = PartitionOptions & EventBatchOptions;

/**
 * A function that does what a producer plus the broker do to a record: pick its partition
 * with Kafka's default partitioner (murmur2 of the key; key-less records round-robin,
 * starting at partition 0 so the result is deterministic, where kafkajs starts at random)
 * and give it the partition's next offset. Calls must follow the record order of the source.
 */
export function createPartitionAssigner(
  options: PartitionOptions,
): (record: ProducerRecord) => KafkaRecordInput {
  const partitions = options.partitions ?? 1;
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new ConfigError(`partitions must be a positive integer, got ${partitions}`);
  }
  if (!options.topic) throw new ConfigError('topic must not be empty');
  const nextOffset = Array.from({ length: partitions }, (_, p) => options.startOffsets?.[p] ?? 0);
  let roundRobin = 0;
  return (record) => {
    const partition =
      record.key === null ? roundRobin++ % partitions : partitionForKey(record.key, partitions);
    const offset = nextOffset[partition]!;
    nextOffset[partition] = offset + 1;
    return {
      topic: options.topic,
      partition,
      offset,
      timestampMs: record.timestampMs,
      key: record.key,
      value: record.value,
      headers: record.headers ?? [],
    };
  };
}

/** The stateful half of {@link batchRecords}: feed records one at a time, take events as they fill. */
export interface EventBatcher {
  /** Adds a record; returns the events this completed (none, usually). */
  add(record: KafkaRecordInput, origin?: string): LambdaKafkaEvent[];
  /** The last, partly filled event, if any. */
  flush(): LambdaKafkaEvent | undefined;
}

/**
 * Cuts records into events the way an event-source mapping does: at most `batchSize`
 * records, and never more than `maxEventBytes` of JSON (a record that would push the event
 * over the cap starts the next event). Records keep their order, so every partition's
 * records stay in offset order within and across events.
 *
 * The size is tracked incrementally and exactly with {@link EventSizer}, so batching a large
 * file is linear, not quadratic.
 */
export function createEventBatcher(options: EventBatchOptions = {}): EventBatcher {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const maxEventBytes = options.maxEventBytes ?? MAX_EVENT_BYTES;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new ConfigError(`batch size must be an integer from 1 to ${MAX_BATCH_SIZE}, got ${batchSize}`);
  }
  const envelope = buildEvent([], options);
  const sizer = new EventSizer(eventSizeBytes(envelope));
  let groups: Record<string, LambdaKafkaRecord[]> = {};

  const take = (): LambdaKafkaEvent => {
    const event: LambdaKafkaEvent = { ...envelope, records: groups };
    groups = {};
    sizer.clear();
    return event;
  };

  return {
    add(input, origin) {
      const out: LambdaKafkaEvent[] = [];
      const record = toLambdaRecord(input);
      const id = partitionId(record.topic, record.partition);
      const recordBytes = Buffer.byteLength(JSON.stringify(record));
      if (sizer.count > 0 && sizer.sizeWith(id, recordBytes) > maxEventBytes) out.push(take());
      const size = sizer.sizeWith(id, recordBytes);
      if (size > maxEventBytes) {
        throw new InvalidRecordError(
          `${origin ? `${origin}: ` : ''}record ${id}@${record.offset} alone makes a ${size}-byte event, over the ${maxEventBytes}-byte cap of one Lambda invocation; split or shrink the value`,
          { coordinates: record, field: 'value', code: 'RECORD_TOO_LARGE' },
        );
      }
      (groups[id] ??= []).push(record);
      sizer.add(id, recordBytes);
      if (sizer.count >= batchSize) out.push(take());
      return out;
    },
    flush() {
      return sizer.count > 0 ? take() : undefined;
    },
  };
}

/**
 * Turns records in source order into the Lambda events an event-source mapping would
 * deliver for them: partitioned by key, offsets in source order per partition, batches of
 * `batchSize` under the 6 MB cap. Pure and deterministic: the same records and options give
 * the same events, so a replay of the same file is a redelivery.
 */
export function* batchRecords(
  records: Iterable<ProducerRecord>,
  options: BatchRecordsOptions,
): Generator<LambdaKafkaEvent> {
  const assign = createPartitionAssigner(options);
  const batcher = createEventBatcher(options);
  for (const r of records) yield* batcher.add(assign(r), r.origin);
  const last = batcher.flush();
  if (last) yield last;
}

/** {@link batchRecords} over a stream, for files larger than memory. */
export async function* batchRecordsAsync(
  records: AsyncIterable<ProducerRecord> | Iterable<ProducerRecord>,
  options: BatchRecordsOptions,
): AsyncGenerator<LambdaKafkaEvent> {
  const assign = createPartitionAssigner(options);
  const batcher = createEventBatcher(options);
  for await (const r of records) yield* batcher.add(assign(r), r.origin);
  const last = batcher.flush();
  if (last) yield last;
}
