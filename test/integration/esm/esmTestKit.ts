import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type Admin, Kafka, logLevel, type Message, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, inject } from 'vitest';
import { buildEvent, type KafkaRecord } from '../../../shared/engine/event/index.js';
import { kafkaHandler } from '../../../shared/engine/handler/index.js';
import { handlerOnTopic } from '../../../shared/engine/process/handlerOnTopic.js';
import { type HandlerSpec, processEvent } from '../../../shared/engine/process/index.js';
import { createTopicsAndWait } from '../../../shared/kafka/topicReadiness.js';
import {
  JsonlOnFailureDestination,
  type LambdaKafkaHandlerFn,
  LocalEventSourceMapping,
  type LocalEventSourceMappingOptions,
} from '../../../shared/local/eventSourceMapping/index.js';
import { fromKafkajsMessage } from '../../../shared/local/eventSourceMapping/kafkajsRecord.js';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../../shared/local/index.js';
import { rideHandler } from '../../../shared/rides/index.js';
import { PipelineTestDriver } from '../../../shared/testing/index.js';
import { parseBrokerList } from '../../support/kafkaBroker.js';
import { loadRideRows, rideJson } from '../../support/rides.js';

/** The three ride handlers, each run as its own mapping. */
export const RIDE_FUNCTIONS = [
  'rides-count-by-dropoff',
  'rides-tumbling-by-pickup',
  'rides-hopping-by-vendor',
] as const;

// Metrics would print EMF lines to stdout on every batch.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

/**
 * A ride handler's spec reading `topic` instead of `rides`: tests share one broker, so each
 * uses a topic of its own; the pipelines are otherwise the ride handler's own.
 */
export function rideSpecOn(name: string, topic: string): HandlerSpec {
  const spec = rideHandler(name);
  return handlerOnTopic(spec, topic);
}

/** One clock for both sides, so TTL attributes (`expiresAt`) compare equal. */
export const FIXED_NOW_MS = Date.parse('2026-01-01T00:00:00Z');

/** A name no other test uses. */
export const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A kafkajs client for the test broker, quiet, retrying briefly. */
export function testKafka(brokers: string | string[]): Kafka {
  return new Kafka({
    clientId: 'esm-test',
    brokers: Array.isArray(brokers) ? brokers : parseBrokerList(brokers),
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 100 },
  });
}

/**
 * Creates a topic and waits until every partition is led and answers (createTopicsAndWait:
 * kafkajs' own waitForLeaders gives up on UNKNOWN_TOPIC_OR_PARTITION when the machine is busy).
 */
export async function createTopic(admin: Admin, topic: string, partitions: number): Promise<void> {
  await createTopicsAndWait(admin, [{ topic, numPartitions: partitions, replicationFactor: 1 }]);
}

/**
 * Produces messages with kafkajs's default partitioner (murmur2 of the key, as Java's
 * producer and `partitionForKey` do), `perSend` at a time (1 for values near the broker's
 * 1 MB record-batch limit), in order, so each partition's order is the order given.
 */
export async function produce(
  kafka: Kafka,
  topic: string,
  messages: Message[],
  perSend = 500,
): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += perSend) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + perSend) });
    }
  } finally {
    await producer.disconnect();
  }
}

/** The bundled rides as the course's producer sends them: JSON values keyed by DOLocationID. */
export function rideMessages(): Message[] {
  return loadRideRows().map((row) => ({ key: row.DOLocationID ?? null, value: rideJson(row) }));
}

/** Reads a whole topic back (partition, offset, timestamp as the broker assigned them). */
export async function readTopic(kafka: Kafka, topic: string, expected: number): Promise<KafkaRecord[]> {
  const consumer = kafka.consumer({ groupId: unique('readback'), maxWaitTimeInMs: 200 });
  const records: KafkaRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let resolveAll!: () => void;
    const all = new Promise<void>((r) => (resolveAll = r));
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        records.push(fromKafkajsMessage(topic, partition, message));
        if (records.length >= expected) resolveAll();
      },
    });
    await withTimeout(all, 30_000, `reading ${expected} records back from ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** A Powertools logger and metrics that stay quiet in test output. */
export function quietDeps(name: string) {
  return {
    logger: new Logger({ serviceName: name, logLevel: 'ERROR' }),
    metrics: new Metrics({
      namespace: 'EsmTest',
      serviceName: name,
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    }),
  };
}

/**
 * One in-memory dynalite with two sets of tables: `runner` (written by handlers the mappings
 * invoke) and `replay` (written by an embedded replay of the same records), to compare.
 */
export class TwoSides {
  private constructor(
    private readonly dynamo: EmbeddedDynamo,
    readonly runner: PipelineTestDriver,
    readonly replay: PipelineTestDriver,
  ) {}

  static async start(): Promise<TwoSides> {
    const dynamo = await startEmbeddedDynamo();
    const spec = rideHandler('rides-count-by-dropoff');
    const options = { endpoint: dynamo.endpoint, nowMs: () => FIXED_NOW_MS };
    const runner = await PipelineTestDriver.start(spec, { ...options, tablePrefix: unique('runner') });
    const replay = await PipelineTestDriver.start(spec, { ...options, tablePrefix: unique('replay') });
    return new TwoSides(dynamo, runner, replay);
  }

  /** The handler the runner invokes for a ride function reading `topic`, writing to the runner's tables. */
  rideHandler(name: string, topic: string): LambdaKafkaHandlerFn {
    return kafkaHandler(rideSpecOn(name, topic), { stores: () => this.runner.stores, ...quietDeps(name) });
  }

  /** Replays records into the replay tables through every given function, one event each. */
  async replayRecords(records: readonly KafkaRecord[], functions: readonly string[]): Promise<void> {
    const topic = records[0]?.topic ?? 'rides';
    for (const name of functions) {
      await processEvent(rideSpecOn(name, topic), buildEvent(records), this.replay.stores);
    }
  }

  async close(): Promise<void> {
    await this.runner.close();
    await this.replay.close();
    await this.dynamo.close();
  }
}

/**
 * Every item of a driver's aggregates and dead-letter tables, raw (all attributes, including
 * the per-partition offset high-water marks and TTLs), sorted by key. Only `v`, the store's
 * optimistic-locking version (how many writes an item took), is left out: it counts batches,
 * and batch boundaries are the one thing a replay and the runner are allowed to differ in.
 */
export async function tableContents(driver: PipelineTestDriver): Promise<{
  aggregates: Record<string, unknown>[];
  deadLetters: Record<string, unknown>[];
}> {
  const scan = async (table: string) => {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await driver.doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey }));
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items.sort((a, b) => `${a.pk}\u0000${a.sk}`.localeCompare(`${b.pk}\u0000${b.sk}`));
  };
  const aggregates = (await scan(driver.tables.aggregates)).map(({ v: _version, ...rest }) => rest);
  return { aggregates, deadLetters: await scan(driver.tables.deadLetters) };
}

/** A mapping with test-friendly defaults: short window, quick retries, on-failure file in a temp dir, no progress. */
export async function testMapping(
  options: Omit<LocalEventSourceMappingOptions, 'bootstrapServers' | 'onFailure'> & {
    readonly onFailurePath?: string;
  },
): Promise<{ esm: LocalEventSourceMapping; onFailure: JsonlOnFailureDestination }> {
  const onFailure = new JsonlOnFailureDestination(
    options.onFailurePath ?? join(await mkdtemp(join(tmpdir(), 'esm-')), 'on-failure.jsonl'),
  );
  const esm = new LocalEventSourceMapping({
    progressIntervalMs: 0,
    backoff: { initialMs: 20, maxMs: 200 },
    log: () => {},
    ...options,
    settings: { maximumBatchingWindowMs: 100, ...options.settings },
    bootstrapServers: '127.0.0.1:9092',
    onFailure,
  });
  return { esm, onFailure };
}

/** The group's committed offsets by partition (absent: never committed). */
export async function committedOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const t of await admin.fetchOffsets({ groupId, topics: [topic] })) {
    for (const p of t.partitions) if (Number(p.offset) >= 0) out.set(p.partition, Number(p.offset));
  }
  return out;
}

/** Rejects after `ms` with a message saying what was awaited. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls until `probe` returns true. */
export async function eventually(
  probe: () => boolean | Promise<boolean>,
  ms: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What {@link useBrokerFixture} sets up for a test file. */
export interface BrokerFixture {
  kafka: Kafka;
  admin: Admin;
  /** The runner's and the embedded replay's stores; absent with `{ stores: false }`. */
  sides: TwoSides;
}

/**
 * A kafkajs client and a connected admin on the run's broker, plus (unless `stores: false`)
 * the runner's and the embedded replay's stores, set up once per test file and torn down
 * after it. Read the fields inside tests (they are filled in by beforeAll).
 */
export function useBrokerFixture(options: { stores?: boolean } = {}): BrokerFixture {
  const fixture = {} as BrokerFixture;
  beforeAll(async () => {
    fixture.kafka = testKafka(inject('kafkaBrokers'));
    fixture.admin = fixture.kafka.admin();
    await fixture.admin.connect();
    if (options.stores !== false) fixture.sides = await TwoSides.start();
  });
  afterAll(async () => {
    await fixture.admin?.disconnect();
    await fixture.sides?.close();
  });
  return fixture;
}
