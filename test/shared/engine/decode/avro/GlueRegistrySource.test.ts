import { readFileSync } from 'node:fs';
import { GlueClient } from '@aws-sdk/client-glue';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAvroValue } from '../../../../../scripts/lib/avroValues.js';
import { GlueRegistrySource } from '../../../../../shared/engine/decode/avro/GlueRegistrySource.js';
import {
  glueAvroCodec,
  glueFrame,
  SchemaRegistryError,
} from '../../../../../shared/engine/decode/avro/index.js';
import type { KafkaRecord } from '../../../../../shared/engine/event/index.js';
import { RIDE_AVRO_SCHEMA, rideSchema } from '../../../../../shared/rides/schemas/index.js';
import { GlueApiFixture } from '../../../../support/glueApiFixture.js';
import { dataPath, loadRideRows } from '../../../../support/rides.js';

const VERSION_ID = 'b7b4a7f0-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
const rideSchemaText = readFileSync(dataPath('schemas/rides-value.1.avsc'), 'utf8');

describe('GlueRegistrySource: writer schemas by version id through @aws-sdk/client-glue', () => {
  let glue: GlueApiFixture;
  let source: GlueRegistrySource;
  beforeAll(async () => {
    glue = await GlueApiFixture.start();
    glue.versions.set(VERSION_ID, rideSchemaText);
    source = new GlueRegistrySource({
      client: new GlueClient({
        endpoint: glue.endpoint,
        region: 'eu-west-1',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example' },
        maxAttempts: 1,
      }),
    });
  });
  afterAll(async () => {
    await glue?.close();
  });

  it('asks GetSchemaVersion for the id and returns the schema definition', async () => {
    const definition = await source.schemaByVersionId(VERSION_ID);

    expect(definition).toBe(rideSchemaText);
    expect(glue.requests.at(-1)).toEqual({
      target: 'AWSGlue.GetSchemaVersion',
      contentType: 'application/x-amz-json-1.1',
      body: { SchemaVersionId: VERSION_ID },
    });
  });

  it('answers undefined for a version Glue does not have (EntityNotFoundException: a dead letter)', async () => {
    await expect(source.schemaByVersionId('11111111-2222-4333-8444-555555555555')).resolves.toBeUndefined();
  });

  it('turns any other error into SchemaRegistryError (the batch is retried)', async () => {
    glue.throttled = true;
    try {
      await expect(source.schemaByVersionId(VERSION_ID)).rejects.toBeInstanceOf(SchemaRegistryError);
    } finally {
      glue.throttled = false;
    }
  });

  it('lets glueAvroCodec decode a Glue-framed ride, fetching its version once', async () => {
    const codec = glueAvroCodec({ readerSchema: RIDE_AVRO_SCHEMA, schema: rideSchema, source });
    const body = avro.Type.forSchema(RIDE_AVRO_SCHEMA).toBuffer(
      toAvroValue(JSON.parse(rideSchemaText), loadRideRows()[0]),
    );
    const record: KafkaRecord = {
      topic: 'rides-glue',
      partition: 0,
      offset: 0,
      timestampMs: 0,
      timestampType: 'CREATE_TIME',
      key: null,
      value: glueFrame(VERSION_ID, body, { compress: true }),
      headers: [],
    };
    const before = glue.requests.length;

    await codec.prepare([record, record]);
    await codec.prepare([record]);

    expect(codec.decode(record)).toMatchObject({ VendorID: 1, DOLocationID: 75 });
    expect(glue.requests.length - before).toBe(1);
  });
});
