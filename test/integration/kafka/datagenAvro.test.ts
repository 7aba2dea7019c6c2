import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ConsumedRecord, runConsume } from '../../../scripts/commands/consume.js';
import { runDatagen } from '../../../scripts/commands/datagen.js';
import { createTopic, deleteTopics } from '../../../scripts/commands/topics.js';
import { captureOutput } from '../../../scripts/lib/output.js';
import { LocalSchemaDirectory } from '../../../shared/engine/decode/avro/index.js';
import { generateRides } from '../../../shared/local/datagen/index.js';
import { loadZones, parseDatetimeMs } from '../../../shared/rides/schemas/index.js';
import { dataPath } from '../../support/rides.js';

/**
 * `datagen --topic --value-format avro` against the real broker: the generated rides arrive
 * as Confluent-framed Avro under the topic's TopicNameStrategy subject, and read back (with
 * `consume --value-format avro`) as the rides the generator made for the seed.
 */
const brokers = inject('kafkaBrokers');
const topics: string[] = [];
let dir: string;

async function newTopic(): Promise<string> {
  const name = `datagen-avro-${randomUUID()}`;
  topics.push(name);
  await createTopic({ brokers, name, partitions: 3, replicationFactor: 1, output: captureOutput() });
  return name;
}

async function consumeAvro(topic: string, keys: boolean): Promise<ConsumedRecord[]> {
  const out = captureOutput();
  await runConsume({
    brokers,
    topic,
    json: true,
    idleTimeoutMs: 3000,
    output: out,
    avro: { source: new LocalSchemaDirectory(dir), values: true, keys },
  });
  return out.stdout.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as ConsumedRecord);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'datagen-avro-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await deleteTopics({ brokers, names: topics, output: captureOutput() });
});

describe('datagen --topic --value-format avro', () => {
  it('writes the seed rides as framed Avro under <topic>-value (the ride schema by default); malformed ones as JSON text', async () => {
    const topic = await newTopic();
    const options = { seed: 'avro', count: 200, malformedShare: 0.05 } as const;
    const expected = [
      ...generateRides({ ...options, zones: loadZones(dataPath('taxi_zone_lookup.csv')).values() }),
    ];

    const summary = await runDatagen({
      ...options,
      brokers,
      topic,
      valueFormat: 'avro',
      avro: { registrar: new LocalSchemaDirectory(dir) },
      output: captureOutput(),
    });
    const consumed = await consumeAvro(topic, false);

    expect(summary.produce?.records).toBe(200);
    expect(readdirSync(dir)).toEqual([`${topic}-value.1.avsc`]);
    const rides = expected.flatMap((r) => (r.kind === 'ride' ? [r.ride] : []));
    const asAvro = rides.map((ride) => ({
      ...ride,
      tpep_pickup_datetime: parseDatetimeMs(ride.tpep_pickup_datetime),
      tpep_dropoff_datetime: parseDatetimeMs(ride.tpep_dropoff_datetime),
    }));
    const decoded = consumed
      .filter((r) => !r.value?.startsWith('<not Avro'))
      .map((r) => JSON.parse(r.value!) as Record<string, unknown>);
    // Every ride is there as Avro; malformed records whose fields still fit the schema too.
    for (const ride of asAvro) expect(decoded).toContainEqual(ride);
    const notAvro = consumed.filter((r) => r.value?.startsWith('<not Avro: not Confluent-framed'));
    expect(notAvro.length + decoded.length).toBe(200);
    expect(notAvro.length).toBeGreaterThan(0);
    expect(notAvro.length).toBeLessThanOrEqual(summary.malformed);
  });

  it('writes Avro keys with --key-format avro and a key schema (an int DOLocationID)', async () => {
    const topic = await newTopic();
    const keySchema = join(dir, 'key.avsc');
    writeFileSync(keySchema, '"int"');

    await runDatagen({
      seed: 'keys',
      count: 20,
      malformedShare: 0,
      brokers,
      topic,
      valueFormat: 'avro',
      keyFormat: 'avro',
      avro: { registrar: new LocalSchemaDirectory(dir), keySchema },
      output: captureOutput(),
    });
    const consumed = await consumeAvro(topic, true);

    expect(consumed).toHaveLength(20);
    for (const r of consumed) {
      const ride = JSON.parse(r.value!) as { DOLocationID: number };
      expect(r.key).toBe(String(ride.DOLocationID));
    }
    expect(
      readdirSync(dir)
        .filter((f) => f.startsWith(topic))
        .sort(),
    ).toEqual([`${topic}-key.3.avsc`, `${topic}-value.2.avsc`]);
  });

  it('refuses Avro without --topic: files hold lines of text', async () => {
    await expect(
      runDatagen({ count: 1, seed: 1, out: '-', valueFormat: 'avro', quiet: true, output: captureOutput() }),
    ).rejects.toThrow(/need --topic/);
  });
});
