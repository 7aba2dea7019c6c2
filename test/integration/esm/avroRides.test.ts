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
import { registerCodec } from '../../../shared/engine/decode/index.js';
import { kafkaHandler } from '../../../shared/engine/handler/index.js';
import type { HandlerSpec } from '../../../shared/engine/process/index.js';
import type { LocalEventSourceMapping } from '../../../shared/local/eventSourceMapping/index.js';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../../shared/local/index.js';
import { RIDE_AVRO_SCHEMA, rideSchema } from '../../../shared/rides/schemas/index.js';
import { PipelineTestDriver } from '../../../shared/testing/index.js';
import { ConfluentRegistryFixture } from '../../support/confluentRegistryFixture.js';
import { dataPath } from '../../support/rides.js';
import {
  createTopic,
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
    dynamo = await startEmbeddedDynamo();
    registry = await ConfluentRegistryFixture.start();
  });
  afterAll(async () => {
    await registry?.close();
    await dynamo?.close();
  });

  /** Produces data/rides.csv to a new 3-partition topic, runs every ride function over it, returns its tables. */
  async function tablesVia(format: 'json' | 'avro', registrar?: SchemaRegistrar, consumer?: SchemaRegistrar) {
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
    const codec = format === 'json' ? 'ride-json' : unique('ride-avro-it');
    if (consumer) {
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
});
