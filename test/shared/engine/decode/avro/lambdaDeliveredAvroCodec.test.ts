import { describe, expect, it } from 'vitest';
import { avroSerializer } from '../../../../../scripts/lib/avroValues.js';
import {
  type AvroDelivery,
  avroCodec,
  avroDeliveryFromEnv,
  avroSourceCodec,
  LocalSchemaDirectory,
  lambdaDeliveredAvroCodec,
  readsSchemaRegistryRecords,
} from '../../../../../shared/engine/decode/avro/index.js';
import { jsonCodec } from '../../../../../shared/engine/decode/jsonCodec.js';
import { codecByName } from '../../../../../shared/engine/decode/registry.js';
import type { KafkaRecord } from '../../../../../shared/engine/event/index.js';
import { SchemaRegistryEmulation } from '../../../../../shared/local/eventSourceMapping/index.js';
import { RIDE_AVRO_SCHEMA, rideSchema } from '../../../../../shared/rides/schemas/index.js';
import { dataPath, loadRideRows } from '../../../../support/rides.js';
import '../../../../../functions/catalog.js';

const local = new LocalSchemaDirectory(dataPath('schemas'));

function codecFor(delivery: AvroDelivery) {
  return lambdaDeliveredAvroCodec({
    name: 'ride-avro-test',
    framed: avroCodec({ readerSchema: RIDE_AVRO_SCHEMA, schema: rideSchema, source: local }),
    json: jsonCodec(rideSchema),
    source: avroSourceCodec({ readerSchema: RIDE_AVRO_SCHEMA, schema: rideSchema }),
    delivery: () => delivery,
  });
}

const record = (value: Buffer): KafkaRecord => ({
  topic: 'rides-avro',
  partition: 0,
  offset: 3,
  timestampMs: 0,
  timestampType: 'CREATE_TIME',
  key: null,
  value,
  headers: [],
});

describe('lambdaDeliveredAvroCodec: one codec for every way Avro reaches the function', () => {
  it.each(['JSON', 'SOURCE'] as const)(
    'reads what Lambda delivers with EventRecordFormat %s as the framed codec reads the original',
    async (format) => {
      const serializer = await avroSerializer({ registrar: local, subject: 'rides-value', schemaId: 1 });
      const framed = record(serializer.serialize(loadRideRows()[4]!));
      const emulation = new SchemaRegistryEmulation({ source: local, eventRecordFormat: format });
      await emulation.prepare([framed]);
      const delivered = emulation.deliver(framed);
      if (!delivered.ok) throw new Error(delivered.reason);
      const asWritten = codecFor('framed');
      await asWritten.prepare([framed]);
      const afterLambda = codecFor(format === 'JSON' ? 'json' : 'source');
      await afterLambda.prepare([delivered.record]);

      expect(afterLambda.decode(delivered.record)).toEqual(asWritten.decode(framed));
    },
  );

  it('dead-letters Lambda-delivered JSON when the deployment says the records are framed', async () => {
    const codec = codecFor('framed');
    const json = record(Buffer.from('{"VendorID":1}'));
    await codec.prepare([json]);

    expect(() => codec.decode(json)).toThrow(expect.objectContaining({ code: 'NOT_CONFLUENT_FRAMED' }));
  });

  it.each([
    [{}, 'framed'],
    [{ SCHEMA_REGISTRY_RECORD_FORMAT: 'json' }, 'json'],
    [{ SCHEMA_REGISTRY_RECORD_FORMAT: 'SOURCE' }, 'source'],
  ] as const)('reads the delivery from the environment: %o is %s', (env, delivery) => {
    expect(avroDeliveryFromEnv(env)).toBe(delivery);
  });

  it('refuses an unknown SCHEMA_REGISTRY_RECORD_FORMAT, naming the variable', () => {
    expect(() => avroDeliveryFromEnv({ SCHEMA_REGISTRY_RECORD_FORMAT: 'protobuf' })).toThrow(
      /SCHEMA_REGISTRY_RECORD_FORMAT must be "json" or "source"/,
    );
  });

  it('marks ride-avro (not ride-json) as a codec the CDK app may put behind a registry', () => {
    expect(readsSchemaRegistryRecords(codecByName('ride-avro'))).toBe(true);
    expect(readsSchemaRegistryRecords(codecByName('ride-json'))).toBe(false);
    expect(readsSchemaRegistryRecords(codecByName('ride-avro-source'))).toBe(false);
  });
});
