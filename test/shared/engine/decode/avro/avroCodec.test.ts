import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  avroCodec,
  confluentFrame,
  SchemaRegistryError,
  type WriterSchemaSource,
} from '../../../../../shared/engine/decode/avro/index.js';
import { InvalidRecordError } from '../../../../../shared/engine/errors/index.js';
import { kafkaRecord } from '../../../../support/records.js';

/** The reader schema: v2 of a small ride, with `tip` added (default 0). */
const readerV2 = {
  type: 'record',
  name: 'Ride',
  fields: [
    { name: 'vendor_id', type: 'int' },
    { name: 'total_amount', type: 'double' },
    { name: 'tip', type: 'double', default: 0 },
  ],
} as avro.Schema;
/** v1: no `tip` yet, and a `driver` field the reader has dropped. */
const writerV1 = {
  type: 'record',
  name: 'Ride',
  fields: [
    { name: 'vendor_id', type: 'int' },
    { name: 'driver', type: 'string' },
    { name: 'total_amount', type: 'double' },
  ],
} as avro.Schema;
/** Cannot be read as v2: `vendor_id` is a string. */
const incompatible = {
  type: 'record',
  name: 'Ride',
  fields: [{ name: 'vendor_id', type: 'string' }],
} as avro.Schema;

const schema = z.object({ vendor_id: z.number().int(), total_amount: z.number(), tip: z.number() });

/** Schemas by id in memory, counting lookups; `down` makes every lookup an outage. */
class MemorySource implements WriterSchemaSource {
  readonly description = 'memory';
  readonly lookups: number[] = [];
  down = false;
  constructor(private readonly byId: Record<number, avro.Schema>) {}
  async schemaById(id: number): Promise<string | undefined> {
    this.lookups.push(id);
    if (this.down) throw new SchemaRegistryError('registry down');
    const s = this.byId[id];
    return s ? JSON.stringify(s) : undefined;
  }
}

const framed = (id: number, writer: avro.Schema, value: object) =>
  confluentFrame(id, avro.Type.forSchema(writer).toBuffer(value));

async function decodeAll(codec: ReturnType<typeof avroCodec>, values: Buffer[]) {
  const records = values.map((value, offset) => kafkaRecord({ value, offset }));
  await codec.prepare(records);
  return records.map((r) => {
    try {
      return codec.decode(r);
    } catch (e) {
      if (e instanceof InvalidRecordError) return e;
      throw e;
    }
  });
}

describe('avroCodec: schema resolution against the reader schema', () => {
  const source = () => new MemorySource({ 1: writerV1, 2: readerV2, 3: incompatible });

  it('reads a record of the same schema as it was written', async () => {
    const codec = avroCodec({ readerSchema: readerV2, schema, source: source() });
    const [ride] = await decodeAll(codec, [framed(2, readerV2, { vendor_id: 1, total_amount: 9.3, tip: 2 })]);
    expect(ride).toEqual({ vendor_id: 1, total_amount: 9.3, tip: 2 });
  });

  it('fills a field the writer lacks from its default and skips a field the reader dropped', async () => {
    const codec = avroCodec({ readerSchema: readerV2, schema, source: source() });
    const [ride] = await decodeAll(codec, [
      framed(1, writerV1, { vendor_id: 2, driver: 'ann', total_amount: 27.8 }),
    ]);
    expect(ride).toEqual({ vendor_id: 2, total_amount: 27.8, tip: 0 });
  });

  it('reads records of two writer schemas in one batch, each with its own', async () => {
    const codec = avroCodec({ readerSchema: readerV2, schema, source: source() });
    const rides = await decodeAll(codec, [
      framed(1, writerV1, { vendor_id: 1, driver: 'x', total_amount: 1 }),
      framed(2, readerV2, { vendor_id: 2, total_amount: 2, tip: 0.5 }),
    ]);
    expect(rides).toEqual([
      { vendor_id: 1, total_amount: 1, tip: 0 },
      { vendor_id: 2, total_amount: 2, tip: 0.5 },
    ]);
  });

  it('fetches each writer schema once per codec (per container), not per record or batch', async () => {
    const memory = source();
    const codec = avroCodec({ readerSchema: readerV2, schema, source: memory });
    const v = framed(2, readerV2, { vendor_id: 1, total_amount: 1, tip: 0 });
    await decodeAll(codec, [v, v, v]);
    await decodeAll(codec, [v]);
    expect(memory.lookups).toEqual([2]);
  });
});

describe('avroCodec: bad records become dead letters with a code', () => {
  const good = framed(2, readerV2, { vendor_id: 1, total_amount: 1, tip: 0 });
  it.each([
    [
      'an id no schema has',
      framed(99, readerV2, { vendor_id: 1, total_amount: 1, tip: 0 }),
      'UNKNOWN_SCHEMA_ID',
    ],
    [
      'a first byte other than the magic 0',
      Buffer.concat([Buffer.from([1]), good.subarray(1)]),
      'NOT_CONFLUENT_FRAMED',
    ],
    ['a JSON value on an Avro topic', Buffer.from('{"vendor_id":1}'), 'NOT_CONFLUENT_FRAMED'],
    ['fewer than 5 bytes (no whole header)', Buffer.from([0, 0, 0]), 'TRUNCATED'],
    ['a body cut short', good.subarray(0, good.length - 3), 'TRUNCATED'],
    ['bytes after the record', Buffer.concat([good, Buffer.from([7])]), 'NOT_AVRO'],
    [
      'a writer schema that cannot resolve to the reader',
      framed(3, incompatible, { vendor_id: 'a' }),
      'INCOMPATIBLE_SCHEMA',
    ],
  ])('%s: %s', async (_name, value, code) => {
    const codec = avroCodec({
      readerSchema: readerV2,
      schema,
      source: new MemorySource({ 2: readerV2, 3: incompatible }),
    });
    const [result] = await decodeAll(codec, [value]);
    expect(result).toBeInstanceOf(InvalidRecordError);
    expect((result as InvalidRecordError).code).toBe(code);
    expect((result as InvalidRecordError).coordinates).toMatchObject({ topic: 'rides', offset: 0 });
  });

  it('a tombstone is TOMBSTONE, as with every codec', async () => {
    const codec = avroCodec({ readerSchema: readerV2, schema, source: new MemorySource({}) });
    await codec.prepare([kafkaRecord({ value: null })]);
    expect(() => codec.decode(kafkaRecord({ value: null }))).toThrow(
      expect.objectContaining({ code: 'TOMBSTONE' }),
    );
  });

  it('a decoded value that fails the zod schema is SCHEMA', async () => {
    const strict = z.object({
      vendor_id: z.number().int().max(2),
      total_amount: z.number(),
      tip: z.number(),
    });
    const codec = avroCodec({
      readerSchema: readerV2,
      schema: strict,
      source: new MemorySource({ 2: readerV2 }),
    });
    const [result] = await decodeAll(codec, [framed(2, readerV2, { vendor_id: 7, total_amount: 1, tip: 0 })]);
    expect((result as InvalidRecordError).code).toBe('SCHEMA');
    expect((result as InvalidRecordError).field).toBe('vendor_id');
  });
});

describe('avroCodec: a registry outage fails the batch', () => {
  it('prepare rejects with SchemaRegistryError, so no record is dead-lettered', async () => {
    const memory = new MemorySource({ 2: readerV2 });
    memory.down = true;
    const codec = avroCodec({ readerSchema: readerV2, schema, source: memory });
    const record = kafkaRecord({ value: framed(2, readerV2, { vendor_id: 1, total_amount: 1, tip: 0 }) });
    await expect(codec.prepare([record])).rejects.toBeInstanceOf(SchemaRegistryError);
  });

  it('the retried batch decodes once the registry is back', async () => {
    const memory = new MemorySource({ 2: readerV2 });
    memory.down = true;
    const codec = avroCodec({ readerSchema: readerV2, schema, source: memory });
    const record = kafkaRecord({ value: framed(2, readerV2, { vendor_id: 1, total_amount: 1, tip: 0 }) });
    await expect(codec.prepare([record])).rejects.toThrow();
    memory.down = false;
    await codec.prepare([record]);
    expect(codec.decode(record)).toEqual({ vendor_id: 1, total_amount: 1, tip: 0 });
  });
});
