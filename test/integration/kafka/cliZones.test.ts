import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ConsumedRecord, runConsume } from '../../../scripts/commands/consume.js';
import { runProduce } from '../../../scripts/commands/produce.js';
import { createTopic, deleteTopics } from '../../../scripts/commands/topics.js';
import { captureOutput } from '../../../scripts/lib/output.js';
import { ConfigError, InvalidRecordError } from '../../../shared/engine/errors/index.js';
import { dataPath } from '../../support/rides.js';

/**
 * The zones table topic with the CLI, against the real broker of the integration run:
 * `topics create --compact`, `produce --key-field locationid` of data/taxi_zone_lookup.csv,
 * and `produce --tombstones` to delete zones again.
 */

const brokers = inject('kafkaBrokers');
const ZONES_FILE = dataPath('taxi_zone_lookup.csv');
/** data/taxi_zone_lookup.csv: a header and LocationIDs 1 to 265, one a line. */
const ZONE_COUNT = 265;
const topics: string[] = [];
let dir: string;

async function newZonesTopic(): Promise<string> {
  const name = `cli-zones-${randomUUID()}`;
  topics.push(name);
  await createTopic({
    brokers,
    name,
    partitions: 1,
    replicationFactor: 1,
    compact: true,
    output: captureOutput(),
  });
  return name;
}

async function consumeAll(topic: string): Promise<ConsumedRecord[]> {
  const out = captureOutput();
  await runConsume({ brokers, topic, json: true, idleTimeoutMs: 3000, output: out });
  return out.stdout.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as ConsumedRecord);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-zones-'));
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await deleteTopics({ brokers, names: topics, output: captureOutput() });
});

describe('produce the zones to a compacted topic', () => {
  it('keys each of the 265 zones by its locationid, with the row as a JSON value', async () => {
    const topic = await newZonesTopic();

    const summary = await runProduce({
      brokers,
      topic,
      file: ZONES_FILE,
      keyField: 'locationid',
      output: captureOutput(),
    });
    const consumed = await consumeAll(topic);

    expect(summary.records).toBe(ZONE_COUNT);
    expect(consumed.map((r) => r.key)).toEqual(Array.from({ length: ZONE_COUNT }, (_, i) => String(i + 1)));
    for (const r of consumed) {
      expect(JSON.parse(r.value as string)).toMatchObject({ locationid: Number(r.key) });
      expect(r.headers).toEqual({ 'content-type': 'application/json' });
    }
    expect(JSON.parse(consumed[0]?.value as string)).toEqual({
      locationid: 1,
      borough: 'EWR',
      zone: 'Newark Airport',
      service_zone: 'EWR',
    });
  });

  it('stops on a key field the file does not have, naming the columns it has and the one that differs in case', async () => {
    const topic = await newZonesTopic();

    const error = await runProduce({
      brokers,
      topic,
      file: ZONES_FILE,
      keyField: 'LocationID',
      output: captureOutput(),
    }).catch((e) => e);
    const consumed = await consumeAll(topic);

    expect(error).toBeInstanceOf(InvalidRecordError);
    expect(error.message).toContain(
      `${ZONES_FILE}:2: key field "LocationID" is not a field of the record (fields: locationid, borough, zone, service_zone); did you mean --key-field locationid?`,
    );
    expect(consumed).toEqual([]);
  });
});

describe('produce --tombstones', () => {
  it('sends a null value for the key of each record, so the latest value of those zones is a tombstone', async () => {
    const topic = await newZonesTopic();
    const gone = join(dir, 'gone.csv');
    writeFileSync(gone, 'locationid\n264\n265\n');
    await runProduce({ brokers, topic, file: ZONES_FILE, keyField: 'locationid', output: captureOutput() });
    const out = captureOutput();

    const summary = await runProduce({
      brokers,
      topic,
      file: gone,
      keyField: 'locationid',
      tombstones: true,
      output: out,
    });
    const consumed = await consumeAll(topic);

    expect(summary.records).toBe(2);
    expect(out.stderr.join('\n')).toContain(`the 2 records are tombstones (null values)`);
    expect(consumed.slice(ZONE_COUNT)).toEqual([
      expect.objectContaining({ key: '264', value: null, headers: {} }),
      expect.objectContaining({ key: '265', value: null, headers: {} }),
    ]);
    const latest = new Map(consumed.map((r) => [r.key, r.value]));
    const live = [...latest].filter(([, value]) => value !== null).map(([key]) => key);
    expect(live).toHaveLength(ZONE_COUNT - 2);
    expect(live).not.toContain('264');
  });

  it('refuses tombstones without a key, which would delete nothing', async () => {
    const topic = await newZonesTopic();

    const error = await runProduce({
      brokers,
      topic,
      file: ZONES_FILE,
      keyField: null,
      tombstones: true,
      output: captureOutput(),
    }).catch((e) => e);

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/--tombstones needs a key.*drop --no-key/);
  });
});
