import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runProduce } from '../../../scripts/commands/produce.js';
import { captureOutput } from '../../../scripts/lib/output.js';
import {
  avroCodec,
  ConfluentRegistrySource,
  LocalSchemaDirectory,
  type SchemaRegistrar,
} from '../../../shared/engine/decode/avro/index.js';
import { registerCodec, registerCodecs } from '../../../shared/engine/decode/index.js';
import { kafkaHandler } from '../../../shared/engine/handler/index.js';
import type { HandlerSpec } from '../../../shared/engine/process/index.js';
import type {
  LocalEventSourceMapping,
  LocalSchemaRegistryConfig,
} from '../../../shared/local/eventSourceMapping/index.js';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../../shared/local/index.js';
import { rideAvroCodecs } from '../../../shared/rides/rideAvroCodecs.js';
import { RIDE_AVRO_SCHEMA, rideSchema } from '../../../shared/rides/schemas/index.js';
import { PipelineTestDriver } from '../../../shared/testing/index.js';
import { ConfluentRegistryFixture } from '../../support/confluentRegistryFixture.js';
import { dataPath } from '../../support/rides.js';
import {
  createTopic,
  produce,
  quietDeps,
  RIDE_FUNCTIONS,
  rideSpecOn,
  testMapping,
  unique,
  useBrokerFixture,
} from './esmTestKit.js';

const brokers = inject('kafkaBrokers');

/** A ride handler on `topic` reading with `codec` (same pipeline names: separate tables compare). */
function specOn(name: string, topic: string, codec: string): HandlerSpec {
  const spec = rideSpecOn(name, topic);
  return { ...spec, pipelines: spec.pipelines.map((p) => ({ ...p, codec })) };
}

/**
 * The "done when": Avro rides go through the real broker (produced by `produce
 * --value-format avro`) and the local event-source mappings into the same tables as JSON
 * rides, with schemas from the local directory and from a registry through the client.
 */
describe('Avro rides through a real broker and the local runner', () => {
  const fixture = useBrokerFixture({ stores: false });
  let dynamo: EmbeddedDynamo;
  let registry: ConfluentRegistryFixture;
  beforeAll(async () => {
    // The Avro ride codecs are opt-in (rideAvroCodecs.ts), as in a handler that reads Avro.
    registerCodecs(rideAvroCodecs);
    dynamo = await startEmbeddedDynamo();
    registry = await ConfluentRegistryFixture.start();
  });
  afterAll(async () => {
    await registry?.close();
    await dynamo?.close();
  });

  /**
   * Produces data/rides.csv to a new 3-partition topic, runs every ride function over it, returns its tables.
   * With `lambda`, the mappings emulate Lambda's schema-registry integration and the handlers
   * read what it delivers with `lambda.codec` (`ride-json` for JSON, `ride-avro-source` for SOURCE).
   */
  async function tablesVia(
    format: 'json' | 'avro',
    registrar?: SchemaRegistrar,
    consumer?: SchemaRegistrar,
    lambda?: { readonly registry: LocalSchemaRegistryConfig; readonly codec: string },
  ) {
    const topic = unique(`rides-${format}`);
    await createTopic(fixture.admin, topic, 3);
    const out = captureOutput();
    await runProduce({
      brokers,
      topic,
      file: dataPath('rides.csv'),
      output: out,
      quiet: true,
      valueFormat: format,
      ...(registrar ? { avro: { registrar, valueSchema: dataPath('schemas/rides-value.1.avsc') } } : {}),
    });
    const codec = lambda?.codec ?? (format === 'json' ? 'ride-json' : unique('ride-avro-it'));
    if (consumer && !lambda) {
      registerCodec(
        codec,
        avroCodec({ name: codec, readerSchema: RIDE_AVRO_SCHEMA, schema: rideSchema, source: consumer }),
      );
    }
    const driver = await PipelineTestDriver.start(
      RIDE_FUNCTIONS.map((name) => specOn(name, topic, codec)),
      { endpoint: dynamo.endpoint, tablePrefix: unique(format) },
    );
    const mappings: LocalEventSourceMapping[] = [];
    for (const name of RIDE_FUNCTIONS) {
      const { esm } = await testMapping({
        kafka: fixture.kafka,
        handler: kafkaHandler(specOn(name, topic, codec), {
          stores: () => driver.stores,
          ...quietDeps(name),
        }),
        settings: { functionName: name, topic, consumerGroupId: unique(name), batchSize: 50 },
        ...(lambda ? { schemaRegistry: lambda.registry } : {}),
      });
      mappings.push(esm);
    }
    for (const m of mappings) await m.start();
    await Promise.all(mappings.map((m) => m.waitUntilCaughtUp({ timeoutMs: 90_000 })));
    const summaries = await Promise.all(mappings.map((m) => m.stop()));
    const rows = await driver.rows();
    const deadLetters = (await driver.deadLetters())
      .map((d) => `${d.pipeline} ${d.partition}:${d.offset} ${d.code}`)
      .sort();
    await driver.close();
    return { rows, deadLetters, delivered: summaries.map((s) => s.recordsDelivered) };
  }

  it('leaves the same tables as JSON rides, schemas from the local directory or from a registry', async () => {
    const json = await tablesVia('json');
    const dir = mkdtempSync(join(tmpdir(), 'schemas-'));
    copyFileSync(dataPath('schemas/rides-value.1.avsc'), join(dir, 'rides-value.1.avsc'));
    const local = new LocalSchemaDirectory(dir);
    const viaLocal = await tablesVia('avro', local, new LocalSchemaDirectory(dir));
    const client = () => new ConfluentRegistrySource({ url: registry.url, retries: 0 });
    const viaRegistry = await tablesVia('avro', client(), client());

    expect(json.delivered).toEqual(RIDE_FUNCTIONS.map(() => 266));
    expect(json.rows.length).toBeGreaterThan(100);
    expect(viaLocal.delivered).toEqual(json.delivered);
    expect(viaLocal.rows).toEqual(json.rows);
    expect(viaLocal.deadLetters).toEqual(json.deadLetters);
    expect(viaRegistry.rows).toEqual(json.rows);
    expect(viaRegistry.deadLetters).toEqual(json.deadLetters);
    // `produce` registered the schema under the topic's TopicNameStrategy subject.
    expect(readdirSync(dir).some((f) => /^rides-avro-.*-value\.2\.avsc$/.test(f))).toBe(true);
    expect(
      registry.requests.some(
        (r) => r.method === 'POST' && /^\/subjects\/rides-avro-.*-value\/versions$/.test(r.path),
      ),
    ).toBe(true);
  });

  it("emulates Lambda's schema-registry delivery: JSON and SOURCE records leave the tables of JSON rides", async () => {
    const json = await tablesVia('json');
    const dir = mkdtempSync(join(tmpdir(), 'schemas-'));
    copyFileSync(dataPath('schemas/rides-value.1.avsc'), join(dir, 'rides-value.1.avsc'));
    const registry = (eventRecordFormat: 'JSON' | 'SOURCE') => ({
      source: new LocalSchemaDirectory(dir),
      eventRecordFormat,
    });

    const asJson = await tablesVia('avro', new LocalSchemaDirectory(dir), undefined, {
      registry: registry('JSON'),
      codec: 'ride-json',
    });
    const asSource = await tablesVia('avro', new LocalSchemaDirectory(dir), undefined, {
      registry: registry('SOURCE'),
      codec: 'ride-avro-source',
    });

    expect(asJson.delivered).toEqual(json.delivered);
    expect(asJson.rows).toEqual(json.rows);
    expect(asJson.deadLetters).toEqual(json.deadLetters);
    expect(asSource.delivered).toEqual(json.delivered);
    expect(asSource.rows).toEqual(json.rows);
    expect(asSource.deadLetters).toEqual(json.deadLetters);
  });

  it('sends records that fail the emulated validation to the on-failure destination, never to the function', async () => {
    const topic = unique('rides-avro-bad');
    await createTopic(fixture.admin, topic, 1);
    const dir = mkdtempSync(join(tmpdir(), 'schemas-'));
    copyFileSync(dataPath('schemas/rides-value.1.avsc'), join(dir, 'rides-value.1.avsc'));
    await runProduce({
      brokers,
      topic,
      file: dataPath('rides.csv'),
      count: 5,
      output: captureOutput(),
      quiet: true,
      valueFormat: 'avro',
      avro: { registrar: new LocalSchemaDirectory(dir), schemaId: 1 },
    });
    // A JSON ride, a frame with an id no schema has, a frame whose body is cut short.
    await produce(fixture.kafka, topic, [
      { key: '1', value: '{"VendorID":1}' },
      { key: '2', value: Buffer.from([0, 0, 0, 0, 99, 2]) },
      { key: '3', value: Buffer.from([0, 0, 0, 0, 1, 2]) },
    ]);
    const name = 'rides-tumbling-by-pickup';
    const driver = await PipelineTestDriver.start([specOn(name, topic, 'ride-json')], {
      endpoint: dynamo.endpoint,
      tablePrefix: unique('bad'),
    });
    const seen: string[] = [];
    const handler = kafkaHandler(specOn(name, topic, 'ride-json'), {
      stores: () => driver.stores,
      ...quietDeps(name),
    });
    const { esm, onFailure } = await testMapping({
      kafka: fixture.kafka,
      handler: async (event, context) => {
        for (const records of Object.values(event.records)) {
          for (const r of records) seen.push(`${r.offset} ${r.valueSchemaMetadata?.schemaId}`);
        }
        return handler(event, context);
      },
      settings: { functionName: name, topic, consumerGroupId: unique(name), batchSize: 50 },
      schemaRegistry: { source: new LocalSchemaDirectory(dir), eventRecordFormat: 'JSON' },
    });

    await esm.start();
    await esm.waitUntilCaughtUp({ timeoutMs: 60_000 });
    const summary = await esm.stop();
    const failures = await onFailure.list();
    const deadLetters = await driver.deadLetters();
    await driver.close();

    expect(seen.sort()).toEqual(['0 1', '1 1', '2 1', '3 1', '4 1']);
    expect(summary.recordsDelivered).toBe(5);
    expect(summary.recordsDiscarded).toBe(3);
    expect(deadLetters).toEqual([]);
    expect(failures.map((f) => [f.requestContext.condition, f.responseContext, f.error?.code])).toEqual([
      ['SchemaValidationFailed', null, 'SCHEMA_VALIDATION_FAILED'],
    ]);
    expect(failures[0]?.KafkaBatchInfo.recordsInfo).toEqual({
      [`${topic}-0`]: expect.objectContaining({ firstRecordOffset: '5', lastRecordOffset: '7' }),
    });
  });
});
