import { describe, expect, it } from 'vitest';
import { avroSerializer } from '../../../../scripts/lib/avroValues.js';
import {
  LocalSchemaDirectory,
  SchemaRegistryError,
  type WriterSchemaSource,
} from '../../../../shared/engine/decode/avro/index.js';
import type { KafkaRecord } from '../../../../shared/engine/event/index.js';
import { SchemaRegistryEmulation } from '../../../../shared/local/eventSourceMapping/index.js';
import { dataPath, loadRideRows } from '../../../support/rides.js';

const local = new LocalSchemaDirectory(dataPath('schemas'));

function record(value: Buffer | null, key: Buffer | null = Buffer.from('75')): KafkaRecord {
  return {
    topic: 'rides-avro',
    partition: 0,
    offset: 7,
    timestampMs: 0,
    timestampType: 'CREATE_TIME',
    key,
    value,
    headers: [],
  };
}

async function framedRide(): Promise<Buffer> {
  const serializer = await avroSerializer({ registrar: local, subject: 'rides-value', schemaId: 1 });
  return serializer.serialize(loadRideRows()[0]!);
}

describe("SchemaRegistryEmulation: what Lambda's schema-registry integration delivers", () => {
  it('JSON: the value decoded with its writer schema, as JSON text, with the schema id in valueSchemaMetadata', async () => {
    const value = await framedRide();
    const emulation = new SchemaRegistryEmulation({ source: local, eventRecordFormat: 'JSON' });
    await emulation.prepare([record(value)]);

    const delivered = emulation.deliver(record(value));

    expect(delivered.ok).toBe(true);
    if (!delivered.ok) return;
    expect(JSON.parse(delivered.record.value!.toString('utf8'))).toMatchObject({
      VendorID: 1,
      tpep_pickup_datetime: Date.UTC(2020, 6, 1, 0, 25, 32),
      DOLocationID: 75,
    });
    expect(delivered.valueSchemaMetadata).toEqual({ dataFormat: 'AVRO', schemaId: '1' });
    expect(delivered.record.key?.toString()).toBe('75');
    expect(delivered.keySchemaMetadata).toBeUndefined();
  });

  it('SOURCE: the Avro body without the magic byte and schema id', async () => {
    const value = await framedRide();
    const emulation = new SchemaRegistryEmulation({ source: local, eventRecordFormat: 'SOURCE' });
    await emulation.prepare([record(value)]);

    const delivered = emulation.deliver(record(value));

    expect(delivered).toMatchObject({ ok: true, valueSchemaMetadata: { dataFormat: 'AVRO', schemaId: '1' } });
    if (delivered.ok) expect(delivered.record.value).toEqual(value.subarray(5));
  });

  it.each([
    ['a JSON value', Buffer.from('{"VendorID":1}'), /value: not Confluent-framed/],
    ['an unknown schema id', Buffer.from([0, 0, 0, 0, 99, 2]), /value: no usable schema with id 99/],
    ['a cut-short body', Buffer.from([0, 0, 0, 0, 1, 2]), /value: not Avro of schema id 1/],
    ['fewer than 5 bytes', Buffer.from([0, 0]), /value: truncated/],
  ])('refuses %s, naming why', async (_what, value, reason) => {
    const emulation = new SchemaRegistryEmulation({ source: local, eventRecordFormat: 'JSON' });
    await emulation.prepare([record(value)]);

    const delivered = emulation.deliver(record(value));

    expect(delivered.ok).toBe(false);
    if (!delivered.ok) expect(delivered.reason).toMatch(reason);
  });

  it('validates keys only when asked: a text key fails KEY validation', async () => {
    const value = await framedRide();
    const emulation = new SchemaRegistryEmulation({
      source: local,
      eventRecordFormat: 'JSON',
      validate: ['KEY', 'VALUE'],
    });
    const textKey = record(value, Buffer.from('vendor-75'));
    await emulation.prepare([textKey]);

    const delivered = emulation.deliver(textKey);

    expect(delivered.ok ? 'delivered' : delivered.reason).toMatch(/^key: not Confluent-framed/);
  });

  it('delivers a tombstone as it is (nothing to validate)', async () => {
    const emulation = new SchemaRegistryEmulation({ source: local, eventRecordFormat: 'JSON' });
    await emulation.prepare([record(null)]);

    expect(emulation.deliver(record(null))).toMatchObject({ ok: true, record: { value: null } });
  });

  it('lets a registry outage reject prepare (the mapping retries the batch) and fetches each id once', async () => {
    const value = await framedRide();
    let calls = 0;
    let down = true;
    const flaky: WriterSchemaSource = {
      description: 'flaky registry',
      async schemaById(id) {
        calls++;
        if (down) throw new SchemaRegistryError('registry down');
        return local.schemaById(id);
      },
    };
    const emulation = new SchemaRegistryEmulation({ source: flaky, eventRecordFormat: 'SOURCE' });

    await expect(emulation.prepare([record(value)])).rejects.toBeInstanceOf(SchemaRegistryError);
    down = false;
    await emulation.prepare([record(value), record(value)]);
    await emulation.prepare([record(value)]);

    expect(emulation.deliver(record(value)).ok).toBe(true);
    expect(calls).toBe(2);
  });
});
