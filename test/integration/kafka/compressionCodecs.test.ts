import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ConsumedRecord, runConsume } from '../../../scripts/commands/consume.js';
import { runProduce } from '../../../scripts/commands/produce.js';
import { runRun } from '../../../scripts/commands/run.js';
import { createTopic, deleteTopics } from '../../../scripts/commands/topics.js';
import { COMPRESSION_NAMES, type CompressionName } from '../../../scripts/lib/kafkaCodecs.js';
import { captureOutput } from '../../../scripts/lib/output.js';
import { createDocumentClient, readNumber } from '../../../shared/engine/store/dynamo/index.js';
import { partitionForKey } from '../../../shared/kafka/index.js';
import { startEmbeddedDynamo } from '../../../shared/local/index.js';
import { typeCells } from '../../../shared/local/io/index.js';
import { parseDatetimeMs } from '../../../shared/rides/schemas/index.js';
import { dataPath, loadRideRows } from '../../support/rides.js';

/**
 * Every codec Kafka has, read and written by the local tools: records a plain Java producer
 * (the official client, default partitioner) compressed with gzip, snappy, lz4 or zstd come
 * out of `consume` and `run` exactly as the same records written uncompressed, and
 * `produce --compression X` round-trips through `consume`.
 */

// Metrics would print EMF lines to stdout on every batch.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const brokers = inject('kafkaBrokers');
const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');
const KAFKA_LIB = process.env.KAFKA_HOME_CACHE ?? join(REPO_ROOT, '.kafka', 'lib');
const JAVA_PRODUCER = join(REPO_ROOT, 'test', 'integration', 'kafka', 'support', 'JavaProducer.java');
const PARTITIONS = 3;
/**
 * The rides four times over: about 150 KB per partition, so a Java batch spans several lz4
 * blocks (64 KB) and several xerial snappy chunks (32 KB).
 */
const COPIES = 4;
const RIDE_FUNCTION = 'rides-count-by-dropoff';

const rows = loadRideRows();
/** A ride as `produce` sends a CSV row: the JSON of its typed cells, keyed by DOLocationID. */
const rides = Array.from({ length: COPIES }, () => rows).flatMap((row) =>
  row.map((r) => ({
    key: r.DOLocationID as string,
    value: JSON.stringify(typeCells(r)),
    timestampMs: parseDatetimeMs(r.tpep_pickup_datetime) as number,
  })),
);

const topics: string[] = [];
let dir: string;
/** The topic each codec's Java-written records are on. */
const javaTopics = {} as Record<CompressionName, string>;

async function newTopic(prefix: string): Promise<string> {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  topics.push(name);
  // The rides are from 2020: time-based retention would delete them within a minute.
  await createTopic({ brokers, name, partitions: PARTITIONS, retentionMs: -1, output: captureOutput() });
  return name;
}

/** Writes `rides` to each topic with the Java client, one producer per codec, in one JVM. */
async function javaProduce(targets: ReadonlyArray<readonly [string, CompressionName]>): Promise<void> {
  const clients = existsSync(KAFKA_LIB)
    ? readdirSync(KAFKA_LIB).filter((f) => /^kafka-clients-/.test(f))
    : [];
  if (clients.length === 0) {
    throw new Error(
      `no kafka-clients jar in ${KAFKA_LIB}: run \`bash scripts/kafka/broker.sh fetch\` (Maven, Java 17+) first`,
    );
  }
  const input = join(dir, 'rides.tsv');
  writeFileSync(input, rides.map((r) => `${r.key}\t${r.timestampMs}\t${r.value}\n`).join(''));
  const args = [
    '-cp',
    `${KAFKA_LIB}/*`,
    JAVA_PRODUCER,
    brokers,
    input,
    ...targets.map(([t, c]) => `${t}=${c}`),
  ];
  const { stdout } = await promisify(execFile)('java', args, { timeout: 120_000 }).catch(
    (e: Error & { stderr?: string }) => {
      throw new Error(`the Java producer failed (needs Java 17+ on PATH): ${e.message}\n${e.stderr ?? ''}`);
    },
  );
  expect(stdout.trim().split('\n')).toEqual(targets.map(([t]) => `${t}=${rides.length}`));
}

/** Reads a whole topic with `consume --json`. */
async function consumeAll(topic: string): Promise<ConsumedRecord[]> {
  const out = captureOutput();
  await runConsume({ brokers, topic, json: true, idleTimeoutMs: 3000, output: out });
  return out.stdout.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as ConsumedRecord);
}

/** What a consumed record says, without its topic, sorted so topics compare as wholes. */
const contents = (records: readonly ConsumedRecord[]) =>
  records
    .map(({ topic: _topic, ...r }) => r)
    .sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'codecs-'));
  for (const codec of COMPRESSION_NAMES) javaTopics[codec] = await newTopic(`java-${codec}`);
  await javaProduce(COMPRESSION_NAMES.map((codec) => [javaTopics[codec], codec] as const));
}, 240_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await deleteTopics({ brokers, names: topics, output: captureOutput() });
});

describe('records a Java producer compressed', () => {
  let uncompressed: ReturnType<typeof contents>;

  beforeAll(async () => {
    uncompressed = contents(await consumeAll(javaTopics.none));
  });

  it('are the rides, on the partitions of their keys, uncompressed', () => {
    expect(uncompressed).toHaveLength(rides.length);
    for (const r of uncompressed) expect(r.partition).toBe(partitionForKey(r.key as string, PARTITIONS));
    expect(uncompressed.map((r) => r.value).sort()).toEqual(rides.map((r) => r.value).sort());
  });

  it.each(COMPRESSION_NAMES.filter((c) => c !== 'none'))(
    'come out of consume with %s as they do uncompressed',
    async (codec) => {
      const consumed = contents(await consumeAll(javaTopics[codec]));

      expect(consumed).toEqual(uncompressed);
    },
  );

  it('give run the same tables with every codec as uncompressed', async () => {
    // Each codec's topic through `run` with a ride handler, each into a DynamoDB of its own.
    const tables = await Promise.all(COMPRESSION_NAMES.map((codec) => runIntoTables(javaTopics[codec])));
    const [none, ...compressed] = tables;

    const total = (none ?? []).reduce((n, i) => n + (readNumber(i.count) ?? 0), 0);
    expect(total).toBe(rides.length);
    for (const [i, t] of compressed.entries()) {
      expect({ codec: COMPRESSION_NAMES[i + 1], items: t }).toEqual({
        codec: COMPRESSION_NAMES[i + 1],
        items: none,
      });
    }
  });
});

/**
 * Runs the ride function over `topic` until caught up, into a fresh DynamoDB, and returns its
 * aggregates. Left out: `v` (how many writes an item took, which counts batches: batch
 * boundaries may differ from run to run) and `expiresAt` (a TTL from the wall clock); the
 * offset high-water marks (`hw:<topic>-<partition>`) keep their values under `hw:TOPIC-<partition>`.
 */
async function runIntoTables(topic: string): Promise<Record<string, unknown>[]> {
  const dynamo = await startEmbeddedDynamo();
  const doc = createDocumentClient({ endpoint: dynamo.endpoint });
  try {
    const [summary] = await runRun({
      brokers,
      functions: [RIDE_FUNCTION],
      topic,
      group: `codecs-${randomUUID().slice(0, 8)}`,
      untilCaughtUp: true,
      endpoint: dynamo.endpoint,
      onFailure: join(dir, `${topic}.on-failure.jsonl`),
      progressIntervalS: 0,
      output: captureOutput(),
    });
    expect(summary?.recordsDelivered).toBe(rides.length);
    const items = (await doc.send(new ScanCommand({ TableName: 'aggregates' }))).Items ?? [];
    return items
      .map(({ v: _version, expiresAt: _ttl, ...rest }) => withoutTopicName(rest, topic))
      .sort((a, b) => `${a.pk}\u0000${a.sk}`.localeCompare(`${b.pk}\u0000${b.sk}`));
  } finally {
    doc.destroy();
    await dynamo.close();
  }
}

function withoutTopicName(item: Record<string, unknown>, topic: string): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(item).map(([k, v]) => [
      k.startsWith(`hw:${topic}-`) ? `hw:TOPIC-${k.slice(topic.length + 4)}` : k,
      v,
    ]),
  );
}

describe('produce --compression', () => {
  it.each(COMPRESSION_NAMES)('round-trips data/rides.csv through consume with %s', async (codec) => {
    const topic = await newTopic(`produce-${codec}`);

    const summary = await runProduce({
      brokers,
      topic,
      file: dataPath('rides.csv'),
      timestampField: 'tpep_pickup_datetime',
      compression: codec,
      quiet: true,
      output: captureOutput(),
    });
    const consumed = await consumeAll(topic);

    expect(summary.records).toBe(rows.length);
    const sent = rows.map((r) => ({
      key: r.DOLocationID,
      value: JSON.stringify(typeCells(r)),
      timestamp: new Date(parseDatetimeMs(r.tpep_pickup_datetime) as number).toISOString(),
    }));
    const received = consumed.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp }));
    const byText = (a: unknown) => JSON.stringify(a);
    expect(received.map(byText).sort()).toEqual(sent.map(byText).sort());
  });
});
