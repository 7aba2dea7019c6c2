import type { LambdaKafkaEvent } from '../../shared/engine/event/index.js';
import {
  batchRecordsAsync,
  type EventBatchOptions,
  type ProducerRecord,
} from '../../shared/local/eventSourceMapping/index.js';
import {
  createSourceIssues,
  readProducerRecords,
  type SourceFileOptions,
  type SourceIssues,
} from './sourceRecords.js';

/**
 * Where `replay` and `start` get their event-source-mapping batches from. Today: a file,
 * partitioned and batched deterministically. This is the seam for a real broker: a source
 * that consumes the topic (KAFKA_BROKERS / --brokers) and yields the same events until it
 * has caught up plugs in here, and everything after it (handlers, summaries) stays as is.
 */
export interface BatchSource {
  /** One line for people: what is being replayed from where. */
  readonly description: string;
  /** The events in delivery order. */
  batches(): AsyncIterable<LambdaKafkaEvent>;
  /**
   * Input lines the latest {@link batches} read did not take as written (malformed lines
   * delivered as they are, unreadable timestamps, blank lines), filled in as it reads.
   */
  readonly issues: SourceIssues;
}

/** Options of {@link fileBatchSource}. */
export interface FileBatchSourceOptions extends SourceFileOptions, EventBatchOptions {
  readonly topic: string;
  /** @default 1 */
  readonly partitions?: number;
  /**
   * Rewrites each record before it is partitioned, as a producer's serializer would (`events
   * --value-format avro` frames values as Avro). @default the records as read
   */
  readonly serialize?: (record: ProducerRecord) => ProducerRecord;
}

/** A file replayed as an event-source mapping would deliver it after a producer wrote it in file order. */
export function fileBatchSource(options: FileBatchSourceOptions): BatchSource {
  const partitions = options.partitions ?? 1;
  let issues = createSourceIssues();
  return {
    description: `${options.file} -> topic ${options.topic}, ${partitions} partition(s), batches of ${options.batchSize ?? 100}`,
    batches: () => {
      issues = createSourceIssues();
      const records = readProducerRecords({ ...options, issues });
      const serialize = options.serialize;
      return batchRecordsAsync(serialize ? mapRecords(records, serialize) : records, {
        ...options,
        partitions,
      });
    },
    get issues() {
      return issues;
    },
  };
}

/** Number of records in an event. */
export function recordCount(event: LambdaKafkaEvent): number {
  return Object.values(event.records).reduce((n, g) => n + g.length, 0);
}

async function* mapRecords(
  records: AsyncIterable<ProducerRecord>,
  serialize: (record: ProducerRecord) => ProducerRecord,
): AsyncGenerator<ProducerRecord> {
  for await (const r of records) yield serialize(r);
}
