import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { toAvroValue } from '../../../../../scripts/lib/avroValues.js';
import {
  glueAvroCodec,
  glueFrame,
  LocalGlueSchemaDirectory,
  parseGlueFrame,
} from '../../../../../shared/engine/decode/avro/index.js';
import type { KafkaRecord } from '../../../../../shared/engine/event/index.js';
import { RIDE_AVRO_SCHEMA, rideSchema } from '../../../../../shared/rides/schemas/index.js';
import { dataPath, loadRideRows } from '../../../../support/rides.js';

const VERSION_ID = 'b7b4a7f0-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
const rideFile = dataPath('schemas/rides-value.1.avsc');
const rideType = avro.Type.forSchema(RIDE_AVRO_SCHEMA);
const row = loadRideRows()[0]!;
const body = rideType.toBuffer(toAvroValue(JSON.parse(readFileSync(rideFile, 'utf8')), row));

function glueDir(): LocalGlueSchemaDirectory {
  const dir = mkdtempSync(join(tmpdir(), 'glue-schemas-'));
  writeFileSync(join(dir, `${VERSION_ID}.avsc`), readFileSync(rideFile));
  return new LocalGlueSchemaDirectory(dir);
}

const record = (value: Buffer): KafkaRecord => ({
  topic: 'rides-glue',
  partition: 0,
  offset: 9,
  timestampMs: 0,
  timestampType: 'CREATE_TIME',
  key: null,
  value,
  headers: [],
});

describe('Glue Schema Registry framing', () => {
  it.each([
    ['uncompressed', false, 0],
    ['zlib-compressed', true, 5],
  ] as const)('splits a %s frame into the schema version id and the Avro body', (_what, compress, byte) => {
    const framed = glueFrame(VERSION_ID, body, { compress });

    expect([...framed.subarray(0, 2)]).toEqual([3, byte]);
    expect(framed.subarray(2, 18).toString('hex')).toBe(VERSION_ID.replaceAll('-', ''));
    expect(parseGlueFrame(framed)).toEqual({ schemaVersionId: VERSION_ID, payload: body });
  });

  it.each([
    ['a short value', Buffer.from([3, 0, 1]), 'TRUNCATED'],
    ['a Confluent frame', Buffer.concat([Buffer.from([0, 0, 0, 0, 1]), body]), 'NOT_GLUE_FRAMED'],
    ['compression byte 7', Buffer.from([3, 7, ...Buffer.alloc(16), 1]), 'UNKNOWN_COMPRESSION'],
    ['a zlib flag on an uncompressed body', Buffer.from([3, 5, ...Buffer.alloc(16), 1, 2, 3]), 'NOT_AVRO'],
  ])('refuses %s with code %s', (_what, bytes, code) => {
    expect(() => parseGlueFrame(bytes)).toThrow(expect.objectContaining({ code }));
  });
});

describe('glueAvroCodec', () => {
  it.each([false, true])(
    'decodes a Glue-framed ride (compressed: %s) as the JSON codec reads the row',
    async (compress) => {
      const codec = glueAvroCodec({ readerSchema: RIDE_AVRO_SCHEMA, schema: rideSchema, source: glueDir() });
      const r = record(glueFrame(VERSION_ID, body, { compress }));

      await codec.prepare([r]);

      expect(codec.decode(r)).toMatchObject({
        VendorID: 1,
        tpep_pickup_datetime: Date.UTC(2020, 6, 1, 0, 25, 32),
        DOLocationID: 75,
      });
    },
  );

  it('resolves an older writer version against the reader schema (a field added with a default)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glue-schemas-'));
    const older = JSON.parse(readFileSync(rideFile, 'utf8')) as { fields: Array<{ name: string }> };
    older.fields = older.fields.filter((f) => f.name !== 'congestion_surcharge');
    const olderId = '00000000-0000-4000-8000-000000000001';
    writeFileSync(join(dir, `${olderId}.avsc`), JSON.stringify(older));
    const olderBody = avro.Type.forSchema(older as avro.Schema).toBuffer(toAvroValue(older as never, row));
    const codec = glueAvroCodec({
      readerSchema: RIDE_AVRO_SCHEMA,
      schema: rideSchema,
      source: new LocalGlueSchemaDirectory(dir),
    });
    const r = record(glueFrame(olderId, olderBody));

    await codec.prepare([r]);

    expect(codec.decode(r)).toMatchObject({ DOLocationID: 75, congestion_surcharge: null });
  });

  it('dead-letters an unknown schema version id with UNKNOWN_SCHEMA_ID', async () => {
    const codec = glueAvroCodec({ readerSchema: RIDE_AVRO_SCHEMA, schema: rideSchema, source: glueDir() });
    const r = record(glueFrame('11111111-2222-4333-8444-555555555555', body));

    await codec.prepare([r]);

    expect(() => codec.decode(r)).toThrow(expect.objectContaining({ code: 'UNKNOWN_SCHEMA_ID' }));
  });

  it('fetches each schema version once per codec (per container)', async () => {
    const dir = glueDir();
    let calls = 0;
    const counting = {
      description: dir.description,
      schemaByVersionId: (id: string) => {
        calls++;
        return dir.schemaByVersionId(id);
      },
    };
    const codec = glueAvroCodec({ readerSchema: RIDE_AVRO_SCHEMA, schema: rideSchema, source: counting });
    const r = record(glueFrame(VERSION_ID, body));

    await codec.prepare([r, r]);
    await codec.prepare([r]);

    expect(calls).toBe(1);
  });
});
