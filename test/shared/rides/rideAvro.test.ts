import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avroSerializer } from '../../../scripts/lib/avroValues.js';
import {
  avroCodec,
  CONFLUENT_HEADER_BYTES,
  ConfluentRegistrySource,
  LocalSchemaDirectory,
  type SchemaRegistrar,
  topicSubject,
  type WriterSchemaSource,
} from '../../../shared/engine/decode/avro/index.js';
import { codecByName, registerCodec, registerCodecs } from '../../../shared/engine/decode/index.js';
import type { InvalidRecordError } from '../../../shared/engine/errors/index.js';
import type { HandlerSpec, WindowedAggregateSpec } from '../../../shared/engine/process/index.js';
import { allTime } from '../../../shared/engine/windows/index.js';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../../shared/local/index.js';
import { RIDES_TOPIC, rideAvroTwin, rideHandlers } from '../../../shared/rides/index.js';
import { rideAvroCodecs } from '../../../shared/rides/rideAvroCodecs.js';
import { RIDE_AVRO_SCHEMA, rideSchema } from '../../../shared/rides/schemas/index.js';
import { PipelineTestDriver, type TestRecord } from '../../../shared/testing/index.js';
import { ConfluentRegistryFixture } from '../../support/confluentRegistryFixture.js';
import { kafkaRecord } from '../../support/records.js';
import { dataPath, loadRideRows, rideJson } from '../../support/rides.js';

// Opt-in, as a Lambda entry for Avro rides does (functions/catalog.ts does for the CLI).
registerCodecs(rideAvroCodecs);

/**
 * The course's schema-registry lesson, checked: rides as Avro (schemas from the local
 * directory, or from a registry through the client) give the same tables as rides as JSON,
 * for every ride pipeline and for counts per vendor and per payment type over the course's
 * Avro fields (vendor, passengers, distance, payment type, total amount).
 */
const perPaymentType: WindowedAggregateSpec = {
  kind: 'windowed-aggregate',
  name: 'payment-type-totals',
  description: "All-time rides, passengers, distance and amount per payment_type (the course's Avro fields)",
  topic: RIDES_TOPIC,
  codec: 'ride-json',
  key: { field: 'payment_type' },
  time: { field: 'tpep_pickup_datetime' },
  window: allTime(),
  aggregations: [
    { op: 'sum', field: 'total_amount' },
    { op: 'sum', field: 'trip_distance' },
    { op: 'sum', field: 'passenger_count' },
  ],
};
const jsonHandlers: HandlerSpec[] = [
  ...rideHandlers,
  {
    name: 'payment-types',
    description: perPaymentType.description,
    topic: RIDES_TOPIC,
    pipelines: [perPaymentType],
  },
];
const BATCH_RECORDS = 50;

/** Every ride of data/rides.csv as a test record, `value` built by `encode`, in batches. */
function rideBatches(encode: (row: Record<string, string>) => string | Buffer): TestRecord[][] {
  const records = loadRideRows().map((row, offset) => ({
    key: row.DOLocationID ?? null,
    value: encode(row),
    offset,
  }));
  const batches: TestRecord[][] = [];
  for (let i = 0; i < records.length; i += BATCH_RECORDS) batches.push(records.slice(i, i + BATCH_RECORDS));
  return batches;
}

/** Every aggregate row, pipeline names without the twin's `-avro`. */
async function tablesOf(handlers: readonly HandlerSpec[], batches: TestRecord[][], endpoint: string) {
  const driver = await PipelineTestDriver.start(handlers, {
    endpoint,
    tablePrefix: `t${Math.random().toString(36).slice(2, 8)}`,
  });
  for (const batch of batches) await driver.pipe(batch.map((r) => ({ ...r, topic: handlers[0]!.topic })));
  const rows = (await driver.rows()).map((r) => ({ ...r, pipeline: r.pipeline.replace(/-avro$/, '') }));
  // Late rides (the file is not in time order) are dead letters on both paths: compare where.
  const deadLetters = (await driver.deadLetters())
    .map((d) => `${d.pipeline.replace(/-avro$/, '')} ${d.partition}:${d.offset} ${d.code}`)
    .sort();
  await driver.close();
  return { rows, deadLetters };
}

/** Twins of the JSON handlers reading `topic` with a codec registered for this test. */
function avroTwins(topic: string, codec: string): HandlerSpec[] {
  return jsonHandlers.map((h) => rideAvroTwin(h, topic, codec));
}

describe('Avro rides give the same tables as JSON rides', () => {
  let dynamo: EmbeddedDynamo;
  let registry: ConfluentRegistryFixture;
  let json: Awaited<ReturnType<typeof tablesOf>>;
  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo();
    registry = await ConfluentRegistryFixture.start();
    json = await tablesOf(jsonHandlers, rideBatches(rideJson), dynamo.endpoint);
  }, 120_000);
  afterAll(async () => {
    await registry?.close();
    await dynamo?.close();
  });

  /** `registrar` registers and writes; `consumer` (another client, as in another process) reads. */
  const avroTables = async (
    registrar: SchemaRegistrar,
    consumer: WriterSchemaSource,
    topic: string,
    codec: string,
  ) => {
    registerCodec(
      codec,
      avroCodec({ name: codec, readerSchema: RIDE_AVRO_SCHEMA, schema: rideSchema, source: consumer }),
    );
    const serializer = await avroSerializer({
      registrar,
      subject: topicSubject(topic, 'value'),
      schemaFile: dataPath('schemas/rides-value.1.avsc'),
    });
    return tablesOf(
      avroTwins(topic, codec),
      rideBatches((row) => serializer.serialize(row)),
      dynamo.endpoint,
    );
  };

  it('the JSON tables are not empty and dead-letter only late rides (the comparison means something)', () => {
    expect(new Set(json.rows.map((r) => r.pipeline))).toEqual(
      new Set(jsonHandlers.flatMap((h) => h.pipelines.map((p) => p.name))),
    );
    expect(json.rows.find((r) => r.pipeline === 'vendor-10m-hop-5m')).toBeDefined();
    expect(json.deadLetters.length).toBeGreaterThan(0);
    expect(json.deadLetters.every((d) => d.endsWith(' LATE'))).toBe(true);
  });

  it('with schemas from the local directory data/schemas (rides-value.1.avsc)', async () => {
    const local = new LocalSchemaDirectory(dataPath('schemas'));
    const avro = await avroTables(local, local, 'rides', 'ride-avro-local-test');
    expect(avro.rows).toEqual(json.rows);
    expect(avro.deadLetters).toEqual(json.deadLetters);
  }, 120_000);

  it('with schemas registered in and fetched from a Confluent-compatible registry (in-test fixture)', async () => {
    const client = () => new ConfluentRegistrySource({ url: registry.url, retries: 0 });
    const avro = await avroTables(client(), client(), 'rides-avro', 'ride-avro-registry-test');
    expect(registry.requests.map((r) => `${r.method} ${r.path}`)).toContain(
      'POST /subjects/rides-avro-value/versions',
    );
    expect(avro.rows).toEqual(json.rows);
    expect(avro.deadLetters).toEqual(json.deadLetters);
    // One schema fetch for the whole run (6 batches): the codec caches the id per container.
    expect(registry.requests.filter((r) => r.path.startsWith('/schemas/ids/'))).toHaveLength(1);
  }, 120_000);
});

describe('the ride Avro schema', () => {
  it('data/schemas/rides-value.1.avsc is RIDE_AVRO_SCHEMA', () => {
    expect(JSON.parse(readFileSync(dataPath('schemas/rides-value.1.avsc'), 'utf8'))).toEqual(
      RIDE_AVRO_SCHEMA,
    );
  });
});

describe('a registry outage fails the batch; the retried batch applies it', () => {
  it('rejects the delivery with SchemaRegistryError, writes nothing, then counts the rides once', async () => {
    const registry = await ConfluentRegistryFixture.start();
    const codec = 'ride-avro-outage-test';
    const consumer = new ConfluentRegistrySource({ url: registry.url, retries: 0 });
    registerCodec(
      codec,
      avroCodec({ name: codec, readerSchema: RIDE_AVRO_SCHEMA, schema: rideSchema, source: consumer }),
    );
    const serializer = await avroSerializer({
      registrar: new ConfluentRegistrySource({ url: registry.url, retries: 0 }),
      subject: 'rides-value',
      schemaFile: dataPath('schemas/rides-value.1.avsc'),
    });
    const handler = rideAvroTwin(rideHandlers[0]!, RIDES_TOPIC, codec);
    const driver = await PipelineTestDriver.start(handler);
    try {
      const records = loadRideRows()
        .slice(0, 10)
        .map((row) => ({ value: serializer.serialize(row) }));
      const event = driver.eventOf(records);
      registry.failWith = 503;
      await expect(driver.pipeEvent(event)).rejects.toMatchObject({ code: 'SCHEMA_REGISTRY_UNAVAILABLE' });
      expect(await driver.rows()).toEqual([]);
      expect(await driver.deadLetters()).toEqual([]);
      registry.failWith = undefined;
      await driver.pipeEvent(event);
      const counted = (await driver.rows()).reduce((n, r) => n + r.count, 0);
      expect(counted).toBe(10);
    } finally {
      await driver.close();
      await registry.close();
    }
  });
});

describe('ride-avro-source: what Lambda delivers with a schema registry and EventRecordFormat SOURCE', () => {
  it('reads unframed Avro rides (the schema id removed) with the ride schema', async () => {
    const serializer = await avroSerializer({
      registrar: new LocalSchemaDirectory(dataPath('schemas')),
      subject: 'rides-value',
    });
    const row = loadRideRows()[0]!;
    const unframed = serializer.serialize(row).subarray(CONFLUENT_HEADER_BYTES);
    const ride = codecByName('ride-avro-source').decode(kafkaRecord({ value: unframed })) as Record<
      string,
      unknown
    >;
    expect(ride).toMatchObject({
      VendorID: 1,
      DOLocationID: 75,
      tpep_pickup_datetime: Date.UTC(2020, 6, 1, 0, 25, 32),
    });
  });

  it('a framed value is not what SOURCE delivers: a dead letter, not a wrong ride', () => {
    const err = (() => {
      try {
        codecByName('ride-avro-source').decode(kafkaRecord({ value: Buffer.from([0, 0, 0, 0, 1, 2]) }));
      } catch (e) {
        return e as InvalidRecordError;
      }
      return undefined;
    })();
    expect(err?.code).toMatch(/^(NOT_AVRO|TRUNCATED|SCHEMA)$/);
  });
});
