import { setTimeout as sleep } from 'node:timers/promises';
import { type Admin, type Kafka, type Message, Partitioners, type ProducerConfig } from 'kafkajs';
import { ConfigError, InvalidRecordError, StreamError } from '../../shared/engine/errors/index.js';
import { partitionForKey } from '../../shared/kafka/index.js';
import { COMPRESSION_TYPES, type CompressionName } from './kafkaCodecs.js';
import { explainKafkaError, withAdmin } from './kafkaConnect.js';
import { NO_PROGRESS, type ThroughputProgress } from './kafkaProgress.js';

/** A record on its way to Kafka, with where it came from for error messages. */
export interface OutgoingRecord {
  /** 1-based line (file) or record number (generator) in the source. */
  readonly line: number;
  /** Text, or bytes (Avro keys). */
  readonly key: string | Buffer | null;
  /** null for a tombstone (deletes the key from a compacted topic); bytes for Avro values. */
  readonly value: string | Buffer | null;
  /** Record timestamp (CREATE_TIME); omitted: the send time. */
  readonly timestampMs?: number;
}

/**
 * The producer settings every command uses: the idempotent producer (the broker drops
 * duplicates a retry would otherwise write, per partition and producer session), which
 * kafkajs only allows with acks = all (-1). One request in flight keeps the per-partition
 * order even when a retry happens (kafkajs serialises idempotent sends per broker anyway).
 * Auto-creation is off: a typo in a topic name should fail, not make a new topic.
 * @see https://kafka.js.org/docs/producing#options
 */
export const PRODUCER_CONFIG = {
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
  createPartitioner: Partitioners.DefaultPartitioner,
} as const satisfies ProducerConfig;

/** acks = all: required by the idempotent producer, and what "never lose a message" needs. */
export const PRODUCER_ACKS = -1;

/** Options of {@link produceRecords}. */
export interface ProduceRecordsOptions {
  readonly topic: string;
  /** Names the source in messages, e.g. `data/rides.csv` or `datagen`. */
  readonly sourceName: string;
  /** Word for {@link OutgoingRecord.line} in messages. @default 'line' */
  readonly unit?: 'line' | 'record';
  /** Records per second; omitted: as fast as the broker acknowledges, in batches. */
  readonly ratePerSecond?: number;
  /** Stop after this many records. */
  readonly count?: number;
  /** Headers added to every record. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Record-batch codec; every one Kafka has (see registerCompressionCodecs). @default 'none' */
  readonly compression?: CompressionName;
  /**
   * Most records in one send. 2,000 rides of about 420 bytes stay well under the brokers'
   * default 1 MB batch limit. @default 2000
   */
  readonly batchRecords?: number;
  /** Most value+key bytes in one send. @default 900000 */
  readonly batchBytes?: number;
  readonly progress?: ThroughputProgress;
  /** Stops reading (Ctrl-C); what was read is still sent and acknowledged. */
  readonly signal?: AbortSignal;
}

/** What a produce run did. */
export interface ProduceSummary {
  readonly topic: string;
  /** Records acknowledged by the broker (acks = all). */
  readonly records: number;
  /** Key, value and header bytes acknowledged. */
  readonly bytes: number;
  readonly elapsedMs: number;
  readonly recordsPerSecond: number;
  /** 10^6 bytes per second. */
  readonly megabytesPerSecond: number;
  /** Records per partition. */
  readonly partitions: Readonly<Record<number, number>>;
  /** True when stopped by the signal before the source ended. */
  readonly interrupted: boolean;
}

/** A send that failed after retries; says which records and how many were safely written. */
export class ProduceError extends StreamError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PRODUCE_FAILED', message, options);
    this.name = 'ProduceError';
  }
}

/** A batch being filled: its messages and what the summary and error messages need. */
interface Pending {
  readonly messages: Message[];
  firstLine: number;
  lastLine: number;
  bytes: number;
  readonly partitions: Map<number, number>;
}

/**
 * Sends records to a topic with the idempotent producer and waits for every acknowledgement.
 *
 * Records go out in batches (up to `batchRecords` / `batchBytes`), one send at a time, the
 * next batch being read while the previous one is in flight; with a rate, each record waits
 * for its slot and whatever is due goes out together. Partitions are chosen here, with the
 * same murmur2 partitioner a Java or kafkajs producer uses for keyed records (and, for
 * key-less ones, one partition per batch in turn, like Kafka's sticky partitioner), so the
 * summary can count records per partition exactly. A failed send stops the run with an error
 * naming the first and last line of the batch; everything before it was acknowledged.
 */
export async function produceRecords(
  kafka: Kafka,
  source: AsyncIterable<OutgoingRecord> | Iterable<OutgoingRecord>,
  options: ProduceRecordsOptions,
): Promise<ProduceSummary> {
  const unit = options.unit ?? 'line';
  const batchRecords = options.batchRecords ?? 2000;
  const batchBytes = options.batchBytes ?? 900_000;
  const progress = options.progress ?? NO_PROGRESS;
  const headers = options.headers ?? {};
  const headerBytes = Object.entries(headers).reduce(
    (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v),
    0,
  );
  const partitionCount = await withAdmin(kafka, (admin) => topicPartitionCount(admin, options.topic));

  const producer = kafka.producer(PRODUCER_CONFIG);
  await producer.connect().catch((cause: unknown) => {
    throw explainKafkaError(cause, 'connecting the producer');
  });

  const startedMs = performance.now();
  const perPartition = new Map<number, number>();
  let acked = 0;
  let ackedBytes = 0;
  let stickyPartition = 0;
  let failure: unknown;
  let inFlight: Promise<void> | undefined;

  const send = async (batch: Pending): Promise<void> => {
    try {
      await producer.sendBatch({
        acks: PRODUCER_ACKS,
        compression: COMPRESSION_TYPES[options.compression ?? 'none'],
        topicMessages: [{ topic: options.topic, messages: batch.messages }],
      });
    } catch (cause) {
      const where =
        batch.firstLine === batch.lastLine
          ? `${unit} ${batch.firstLine}`
          : `${unit}s ${batch.firstLine}-${batch.lastLine}`;
      throw new ProduceError(
        `${where} of ${options.sourceName} could not be written to topic "${options.topic}": ${explainKafkaError(cause, 'sending').message}. ` +
          `The ${acked} records before ${batch.firstLine === batch.lastLine ? 'it' : 'them'} were acknowledged ` +
          '(running the same input again would write those twice).',
        { cause },
      );
    }
    acked += batch.messages.length;
    ackedBytes += batch.bytes;
    for (const [p, n] of batch.partitions) perPartition.set(p, (perPartition.get(p) ?? 0) + n);
    progress.update(acked, ackedBytes);
  };
  /** Starts sending `batch` after the previous send; a failure is kept and rethrown by `settle`. */
  const dispatch = async (batch: Pending): Promise<void> => {
    await settle();
    stickyPartition++;
    inFlight = send(batch).catch((e: unknown) => {
      failure = e;
    });
  };
  const settle = async (): Promise<void> => {
    if (inFlight) await inFlight;
    inFlight = undefined;
    if (failure) throw failure;
  };

  let batch = newBatch();
  let read = 0;
  let interrupted = false;
  // A broken source record stops reading, but what was read before it is still sent.
  let sourceError: unknown;
  const records = (async function* () {
    try {
      yield* source;
    } catch (e) {
      sourceError = e;
    }
  })();
  try {
    // Limits, interruption and the rate slot are checked before the next record is pulled, so
    // a generator source never makes a record that is then not sent.
    for (;;) {
      if (options.count !== undefined && read >= options.count) break;
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      if (options.ratePerSecond !== undefined) {
        const waitMs = startedMs + (read * 1000) / options.ratePerSecond - performance.now();
        if (waitMs > 0) {
          if (batch.messages.length > 0) {
            await dispatch(batch);
            batch = newBatch();
          }
          await settle();
          if (!(await pause(waitMs, options.signal))) {
            interrupted = true;
            break;
          }
        }
      }
      const next = await records.next();
      if (next.done) break;
      const record = next.value;
      read++;
      const partition =
        record.key === null ? stickyPartition % partitionCount : partitionForKey(record.key, partitionCount);
      const message: Message = {
        key: record.key,
        value: record.value,
        partition,
        headers: { ...headers },
        ...(record.timestampMs === undefined ? {} : { timestamp: String(Math.trunc(record.timestampMs)) }),
      };
      const bytes =
        (record.key === null ? 0 : Buffer.byteLength(record.key)) +
        (record.value === null ? 0 : Buffer.byteLength(record.value)) +
        headerBytes;
      addTo(batch, message, record.line, bytes, partition);
      if (batch.messages.length >= batchRecords || batch.bytes >= batchBytes) {
        await dispatch(batch);
        batch = newBatch();
      }
    }
    if (batch.messages.length > 0) await dispatch(batch);
    await settle();
    if (sourceError !== undefined) throw stoppedByRecord(sourceError, acked, options.sourceName);
  } finally {
    await records.return(undefined); // closes the file (or generator) when we stop early
    progress.stop();
    await producer.disconnect().catch(() => undefined);
  }

  const elapsedMs = performance.now() - startedMs;
  const seconds = Math.max(elapsedMs / 1000, 1e-3);
  return {
    topic: options.topic,
    records: acked,
    bytes: ackedBytes,
    elapsedMs,
    recordsPerSecond: acked / seconds,
    megabytesPerSecond: ackedBytes / 1e6 / seconds,
    partitions: Object.fromEntries([...perPartition].sort(([a], [b]) => a - b)),
    interrupted,
  };
}

/** One line for stderr: records, bytes, time, rates and the spread over partitions. */
export function formatProduceSummary(s: ProduceSummary): string {
  const spread = Object.entries(s.partitions)
    .map(([p, n]) => `${p}: ${n}`)
    .join(', ');
  return (
    `${s.interrupted ? 'interrupted after producing' : 'produced'} ${s.records} records ` +
    `(${(s.bytes / 1e6).toFixed(2)} MB) to "${s.topic}" in ${(s.elapsedMs / 1000).toFixed(2)} s: ` +
    `${Math.round(s.recordsPerSecond)} records/s, ${s.megabytesPerSecond.toFixed(2)} MB/s; ` +
    `records per partition: ${spread || 'none'}`
  );
}

/** The partition count, or an error that says how to create the topic. */
async function topicPartitionCount(admin: Admin, topic: string): Promise<number> {
  const topics = await admin.listTopics();
  if (!topics.includes(topic)) {
    throw new ConfigError(
      `topic "${topic}" does not exist: create it with \`npm run cli -- topics create ${topic} --partitions 3\``,
    );
  }
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  const count = metadata.topics[0]?.partitions.length ?? 0;
  if (count === 0) throw new ConfigError(`topic "${topic}" has no partitions in the cluster metadata`);
  return count;
}

function stoppedByRecord(cause: unknown, acked: number, sourceName: string): StreamError {
  const stopped = `Stopped there: the ${acked} records before it were produced.`;
  if (cause instanceof InvalidRecordError) {
    return new InvalidRecordError(`${cause.message}. ${stopped}`, {
      cause,
      ...(cause.field === undefined ? {} : { field: cause.field }),
    });
  }
  if (cause instanceof StreamError) return cause;
  return new ProduceError(`reading ${sourceName} failed: ${(cause as Error).message}. ${stopped}`, { cause });
}

function newBatch(): Pending {
  return { messages: [], firstLine: 0, lastLine: 0, bytes: 0, partitions: new Map() };
}

function addTo(batch: Pending, message: Message, line: number, bytes: number, partition: number): void {
  batch.messages.push(message);
  batch.partitions.set(partition, (batch.partitions.get(partition) ?? 0) + 1);
  if (batch.messages.length === 1) batch.firstLine = line;
  batch.lastLine = line;
  batch.bytes += bytes;
}

/** Sleeps; false when the signal fired first. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
    return true;
  } catch {
    return false;
  }
}
