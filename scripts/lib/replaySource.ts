import { DEFAULT_BATCH_SIZE, type ProducerRecord } from '../../shared/local/eventSourceMapping/index.js';
import { RIDES_TOPIC } from '../../shared/rides/index.js';
import { type BatchSource, fileBatchSource } from './batchSource.js';
import { DEFAULT_KEY_FIELD, type SourceFileOptions } from './sourceRecords.js';

/** Partitions of a replay when not given: enough to show per-partition stream time at work. */
export const DEFAULT_REPLAY_PARTITIONS = 3;

/** What a replay reads: a file, cut into partitions and batches (the flags of `replay` and `start`). */
export interface ReplaySourceOptions {
  readonly file: string;
  /** @default 3 */
  readonly partitions?: number;
  /** @default 100 */
  readonly batchSize?: number;
  /** @default rides */
  readonly topic?: string;
  /** null = key-less. @default DOLocationID */
  readonly keyField?: string | null;
  readonly timestampField?: string;
  readonly format?: SourceFileOptions['format'];
  readonly limit?: number;
  /** Stop at the first malformed input line. @default false: it is delivered as is and dead-lettered */
  readonly strict?: boolean;
  /** Rewrites each record as a producer's serializer would (Avro values). @default as read */
  readonly serialize?: (record: ProducerRecord) => ProducerRecord;
}

/** The file source a replay reads, with the CLI's defaults; `replay` and `start` share it. */
export function replaySource(options: ReplaySourceOptions): BatchSource {
  return fileBatchSource({
    file: options.file,
    topic: options.topic ?? RIDES_TOPIC,
    partitions: options.partitions ?? DEFAULT_REPLAY_PARTITIONS,
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
    keyField: options.keyField === undefined ? DEFAULT_KEY_FIELD : options.keyField,
    ...(options.timestampField ? { timestampField: options.timestampField } : {}),
    ...(options.format ? { format: options.format } : {}),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
    ...(options.strict ? { strict: true } : {}),
    ...(options.serialize ? { serialize: options.serialize } : {}),
  });
}
