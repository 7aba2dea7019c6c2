import { describe, expect, it } from 'vitest';
import { codecByName, registerCodecs } from '../../../shared/engine/decode/index.js';
import { InvalidRecordError } from '../../../shared/engine/errors/index.js';
import { rideCodecs } from '../../../shared/rides/index.js';
import { rideAvroCodecs } from '../../../shared/rides/rideAvroCodecs.js';
import { kafkaRecord } from '../../support/records.js';
import { loadRideRows, rideJson } from '../../support/rides.js';

// Loading the ride pipelines registers their codecs by name, as a handler does.
const json = codecByName('ride-json');
const csv = codecByName('yellow-csv');

function errorOf(fn: () => unknown): InvalidRecordError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidRecordError) return err;
    throw err;
  }
  throw new Error('expected an InvalidRecordError');
}

describe('ride-json codec', () => {
  it('decodes a ride value', () => {
    const ride = json.decode(kafkaRecord({ value: rideJson(loadRideRows()[0]!) })) as Record<string, unknown>;
    expect(ride.DOLocationID).toBe(75);
    expect(ride.tpep_pickup_datetime).toBe(Date.UTC(2020, 6, 1, 0, 25, 32));
  });

  it('turns invalid JSON into an InvalidRecordError naming topic, partition and offset', () => {
    const err = errorOf(() => json.decode(kafkaRecord({ value: '{"VendorID":', partition: 2, offset: 41 })));
    expect(err.code).toBe('NOT_JSON');
    expect(err.coordinates).toMatchObject({ topic: 'rides', partition: 2, offset: 41 });
    expect(err.cause).toBeInstanceOf(SyntaxError);
  });

  it('rejects a tombstone with code TOMBSTONE', () => {
    expect(errorOf(() => json.decode(kafkaRecord({ value: null }))).code).toBe('TOMBSTONE');
  });

  it('names the field that fails the schema', () => {
    const row = { ...loadRideRows()[0]!, PULocationID: 'x' };
    const err = errorOf(() => json.decode(kafkaRecord({ value: JSON.stringify(row) })));
    expect(err.code).toBe('SCHEMA');
    expect(err.message).toContain('PULocationID');
  });
});

describe('yellow-csv codec', () => {
  it('decodes a header-less CSV line', () => {
    const line = '1,2020-07-01 00:25:32,2020-07-01 00:33:39,1,1.50,1,N,238,75,2,8,0.5,0.5,0,0,0.3,9.3,0';
    const ride = csv.decode(kafkaRecord({ value: line })) as Record<string, unknown>;
    expect(ride).toMatchObject({ VendorID: 1, PULocationID: 238, DOLocationID: 75, total_amount: 9.3 });
  });

  it('rejects a line with the wrong number of columns', () => {
    expect(errorOf(() => csv.decode(kafkaRecord({ value: '1,2,3' }))).code).toBe('NOT_CSV');
  });
});

describe('codec registry', () => {
  it("knows the rides' codecs once the rides module is loaded, and json always", () => {
    expect(codecByName('ride-json')).toBe(rideCodecs['ride-json']);
    expect(codecByName('json').decode(kafkaRecord({ value: '{"a":{"b":1}}' }))).toEqual({ a: { b: 1 } });
  });

  it('names the known codecs when asked for an unknown one', () => {
    expect(() => codecByName('avro')).toThrow(/unknown codec "avro"; known codecs: json, ride-json/);
  });

  it('knows the Avro ride codecs only once they are registered (opt-in, to keep avsc out of JSON bundles)', () => {
    expect(() => codecByName('ride-avro')).toThrow(/unknown codec "ride-avro"/);
    expect(() => codecByName('ride-avro-source')).toThrow(/unknown codec "ride-avro-source"/);

    registerCodecs(rideAvroCodecs);

    expect(codecByName('ride-avro')).toBe(rideAvroCodecs['ride-avro']);
    expect(codecByName('ride-avro-source')).toBe(rideAvroCodecs['ride-avro-source']);
  });
});
