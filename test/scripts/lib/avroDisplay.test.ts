import { describe, expect, it } from 'vitest';
import { AvroJsonRenderer } from '../../../scripts/lib/avroDisplay.js';
import { avroSerializer } from '../../../scripts/lib/avroValues.js';
import { LocalSchemaDirectory } from '../../../shared/engine/decode/avro/index.js';
import { dataPath, loadRideRows } from '../../support/rides.js';

describe('consume --value-format avro: AvroJsonRenderer', () => {
  const local = new LocalSchemaDirectory(dataPath('schemas'));

  it('shows a framed ride as JSON, read with its own writer schema', async () => {
    const serializer = await avroSerializer({ registrar: local, subject: 'rides-value' });
    const value = serializer.serialize(loadRideRows()[0]!);
    const renderer = new AvroJsonRenderer(local);
    await renderer.prepare([value, null]);
    expect(JSON.parse(renderer.render(value))).toMatchObject({
      VendorID: 1,
      tpep_pickup_datetime: Date.UTC(2020, 6, 1, 0, 25, 32),
      DOLocationID: 75,
      congestion_surcharge: 0,
    });
  });

  it.each([
    ['a JSON value', Buffer.from('{"a":1}'), /^<not Avro: not Confluent-framed/],
    ['an unknown id', Buffer.from([0, 0, 0, 0x30, 0x39, 1]), /^<not Avro: unknown schema id 12345>/],
  ])('shows %s as not Avro, with its bytes, instead of stopping', async (_name, value, shown) => {
    const renderer = new AvroJsonRenderer(local);
    await renderer.prepare([value]);
    expect(renderer.render(value)).toMatch(shown);
    expect(renderer.render(value)).toContain(`base64:${value.toString('base64')}`);
  });
});
