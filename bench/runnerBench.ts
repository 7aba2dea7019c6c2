import type { Kafka } from 'kafkajs';
import type { ResolvedFunction as RunnerFunction } from '../scripts/lib/functionResolver.js';
import type { OutgoingRecord } from '../scripts/lib/kafkaProducer.js';
import { createMappings, firstCrash, startMappings, stopMappings } from '../scripts/lib/runner.js';
import type { KafkaRecordInput } from '../shared/engine/event/index.js';
import { createTopicsAndWait } from '../shared/kafka/index.js';
import type {
  EsmSummary,
  LambdaKafkaHandlerFn,
  LocalEventSourceMapping,
} from '../shared/local/eventSourceMapping/index.js';

/**
 * The local event-source-mapping runner under load (was scripts/lib/runnerBench.ts; now the
 * runner half of `npm run bench:e2e`): fresh topics, records to produce, and mappings timed
 * from the moment they consume until every group has committed to the end.
 */

/**
 * Creates a topic no earlier run used and waits until every partition has a leader. Records
 * are kept forever (retention.ms -1): time-based retention compares record timestamps with
 * now, and datagen rides are stamped July 2020, so with the default 7 days the broker would
 * delete them at its next retention check, in the middle of a run (the consumers then stall
 * or skip records). {@link deleteBenchTopics} removes them afterwards.
 */
export async function createBenchTopic(kafka: Kafka, prefix: string, partitions: number): Promise<string> {
  const topic = `${prefix}-${Date.now()}`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopicsAndWait(admin, [
      {
        topic,
        numPartitions: partitions,
        replicationFactor: 1,
        configEntries: [{ name: 'retention.ms', value: '-1' }],
      },
    ]);
  } finally {
    await admin.disconnect();
  }
  return topic;
}

/** Deletes topics a run created (a broker given by KAFKA_BROKERS outlives the run). */
export async function deleteBenchTopics(kafka: Kafka, topics: readonly string[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [...topics] });
  } finally {
    await admin.disconnect();
  }
}

/** Records as the producer takes them (key, value, timestamp), numbered for its messages. */
export function toOutgoing(records: readonly KafkaRecordInput[]): OutgoingRecord[] {
  return records.map((r, i) => ({
    line: i + 1,
    key: r.key === undefined || r.key === null ? null : String(r.key),
    value: String(r.value),
    timestampMs: r.timestampMs,
  }));
}

const noop: LambdaKafkaHandlerFn = async () => ({ batchItemFailures: [] });

/** The same functions with a handler that does nothing: the runner's own cost, without DynamoDB. */
export function noopFunctions(functions: readonly RunnerFunction[]): RunnerFunction[] {
  return functions.map((f) => ({ ...f, handler: noop }));
}

/** Options of {@link timeMappings}. */
export interface TimeMappingsOptions<T> {
  readonly kafka: Kafka;
  readonly bootstrapServers: string;
  readonly functions: readonly RunnerFunction[];
  readonly topic: string;
  readonly batchSize: number;
  /** Consumer groups are `<group>-<function>`; give a fresh one per run. */
  readonly group: string;
  /**
   * Runs once every mapping consumes, e.g. the producer filling the topic; the clock starts
   * before it. Without it the topic must already hold every record.
   */
  readonly feed?: () => Promise<T>;
  /** @default 10,000 */
  readonly progressIntervalMs?: number;
  readonly log: (line: string) => void;
}

/** What {@link timeMappings} measured. */
export interface MappingsTiming<T> {
  /** From the start of `feed` (or of consuming) until every group had committed to the end. */
  readonly elapsedMs: number;
  readonly summaries: readonly EsmSummary[];
  readonly fed?: T;
}

/**
 * One mapping per function (each its own consumer group, as separate mappings in AWS), timed
 * until caught up. Group joins are not timed: a mapping in AWS has joined long before. The lag
 * is polled every 100 ms, so short runs are not rounded up to the default 500 ms polls.
 */
export async function timeMappings<T>(options: TimeMappingsOptions<T>): Promise<MappingsTiming<T>> {
  const mappings: LocalEventSourceMapping[] = createMappings({
    kafka: options.kafka,
    bootstrapServers: options.bootstrapServers,
    functions: options.functions,
    topic: options.topic,
    group: options.group,
    settings: { batchSize: options.batchSize, startingPosition: 'TRIM_HORIZON' },
    onFailurePath: null,
    progressIntervalMs: options.progressIntervalMs ?? 10_000,
    log: options.log,
  });
  await startMappings(mappings);
  const crash = firstCrash(mappings);
  crash.catch(() => {}); // raced below; a crash while stopping must not go unhandled
  let elapsedMs: number;
  let fed: T | undefined;
  try {
    const startedMs = performance.now();
    if (options.feed) fed = await Promise.race([options.feed(), crash]);
    await Promise.race([Promise.all(mappings.map((m) => m.waitUntilCaughtUp({ pollMs: 100 }))), crash]);
    elapsedMs = performance.now() - startedMs;
  } catch (err) {
    await stopMappings(mappings);
    throw err;
  }
  const { summaries, errors } = await stopMappings(mappings);
  if (errors.length > 0) throw errors[0];
  return { elapsedMs, summaries, ...(fed === undefined ? {} : { fed }) };
}
