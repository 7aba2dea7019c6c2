import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runEvents } from '../../scripts/commands/events.js';
import { captureOutput } from '../../scripts/lib/output.js';
import { SAMPLE_EVENTS } from '../../scripts/lib/sampleEvents.js';
import { LocalSchemaDirectory, parseConfluentFrame } from '../../shared/engine/decode/avro/index.js';
import { codecByName } from '../../shared/engine/decode/index.js';
import { decodeEvent, type LambdaKafkaEvent } from '../../shared/engine/event/index.js';
import '../../functions/catalog.js';
import { expectedPartition, readCsv, utcMs } from './support/independent.js';

const rows = readCsv('data/rides.csv');
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as LambdaKafkaEvent;

/** A decoded JSON value holds the CSV cell: same number, same text, or null for an empty cell. */
function expectSameRow(value: Record<string, unknown>, row: Record<string, string>) {
  expect(Object.keys(value)).toEqual(Object.keys(row));
  for (const [column, cell] of Object.entries(row)) {
    const v = value[column];
    if (cell === '') expect(v, column).toBeNull();
    else if (typeof v === 'number') expect(v, column).toBe(Number(cell));
    else expect(v, column).toBe(cell);
  }
}

describe('events', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cli-events-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes MSK events whose records decode back to the file rows, partitioned by murmur2 of DOLocationID', async () => {
    const { files } = await runEvents(
      { file: 'data/rides.csv', partitions: 3, batchSize: 50, out: dir },
      captureOutput(),
    );

    const events = files.map(readJson);
    expect(files).toHaveLength(Math.ceil(rows.length / 50));
    for (const e of events) {
      expect(e.eventSource).toBe('aws:kafka');
      expect(e.eventSourceArn).toMatch(/^arn:aws:kafka:[a-z0-9-]+:\d{12}:cluster\//);
      expect(typeof e.bootstrapServers).toBe('string');
      for (const [id, records] of Object.entries(e.records)) {
        for (const r of records) {
          expect(id).toBe(`${r.topic}-${r.partition}`);
          expect(r.timestampType).toBe('CREATE_TIME');
          expect(r.key).toMatch(/^[A-Za-z0-9+/]+=*$/);
        }
      }
      expect(Object.values(e.records).flat().length).toBeLessThanOrEqual(50);
    }
    for (const p of [0, 1, 2]) {
      const expected = rows.filter((row) => expectedPartition(row.DOLocationID!, 3) === p);
      const got = events.flatMap((e) => decodeEvent(e).flat()).filter((r) => r.partition === p);
      expect(got.map((r) => r.offset)).toEqual(expected.map((_, i) => i));
      got.forEach((r, i) => {
        const row = expected[i]!;
        expect(r.topic).toBe('rides');
        expect(r.key?.toString()).toBe(row.DOLocationID);
        expect(r.timestampMs).toBe(utcMs(row.tpep_pickup_datetime!));
        expectSameRow(JSON.parse(r.value!.toString('utf8')), row);
      });
    }
  });

  it('prints one compact event per line on stdout, self-managed events without an ARN', async () => {
    const output = captureOutput();

    await runEvents({ file: 'data/rides.csv', batchSize: 100, source: 'self-managed', out: '-' }, output);

    expect(output.stdout).toHaveLength(3);
    const events = output.stdout.map((l) => JSON.parse(l) as LambdaKafkaEvent);
    expect(events.map((e) => e.eventSource)).toEqual([
      'SelfManagedKafka',
      'SelfManagedKafka',
      'SelfManagedKafka',
    ]);
    expect(events.every((e) => e.eventSourceArn === undefined)).toBe(true);
    expect(events.flatMap((e) => decodeEvent(e).flat()).map((r) => r.offset)).toEqual(rows.map((_, i) => i));
  });

  it('refuses to put several events into one .json file and says what to change', async () => {
    await expect(
      runEvents({ file: 'data/rides.csv', batchSize: 10, out: join(dir, 'one.json') }, captureOutput()),
    ).rejects.toThrow(/more than one event.*--out a folder.*--batch-size.*--limit/);
  });

  it.each(SAMPLE_EVENTS.map((s) => [s.out, s] as const))(
    'committed sample %s is what the events command makes',
    async (out, sample) => {
      const { about: _about, ...options } = sample;

      await runEvents({ ...options, out: join(dir, 'sample.json') }, captureOutput());

      expect(readFileSync(join(dir, 'sample.json'), 'utf8')).toBe(readFileSync(out, 'utf8'));
    },
  );

  it('writes the bad-records sample with a tombstone, invalid JSON and a schema failure', () => {
    const records = decodeEvent(readJson('events/rides-with-bad-records.json')).flat();

    const values = records.map((r) => r.value?.toString('utf8') ?? null);
    expect(values.filter((v) => v === null)).toHaveLength(1);
    expect(
      values.filter((v) => {
        if (v === null) return false;
        try {
          JSON.parse(v);
          return false;
        } catch {
          return true;
        }
      }),
    ).toHaveLength(1);
    expect(values.filter((v) => v?.includes('"PULocationID":"Kips Bay"'))).toHaveLength(1);
  });

  it('writes Avro events (--value-format avro): framed values that decode with ride-avro to the rides the JSON events carry', async () => {
    const options = { file: 'data/rides.csv', partitions: 3, limit: 10, out: '-' } as const;
    const json = decodeEvent((await runEvents(options, captureOutput())).events[0]!).flat();

    const { events } = await runEvents(
      {
        ...options,
        topic: 'rides-avro',
        valueFormat: 'avro',
        avro: { registrar: new LocalSchemaDirectory('data/schemas'), schemaId: 1 },
      },
      captureOutput(),
    );
    const avro = decodeEvent(events[0]!).flat();
    const rideAvro = codecByName('ride-avro');
    const rideJson = codecByName('ride-json');
    await rideAvro.prepare?.(avro);

    expect(avro.map((r) => [r.partition, r.offset, r.key?.toString()])).toEqual(
      json.map((r) => [r.partition, r.offset, r.key?.toString()]),
    );
    expect(avro.every((r) => r.topic === 'rides-avro' && parseConfluentFrame(r.value!).schemaId === 1)).toBe(
      true,
    );
    expect(avro.map((r) => rideAvro.decode(r))).toEqual(json.map((r) => rideJson.decode(r)));
  });

  it('leaves lines that do not fit the Avro schema as written, so the handler dead-letters them', async () => {
    const { events } = await runEvents(
      {
        file: 'events/sources/rides-with-bad-records.records.jsonl',
        topic: 'rides-avro',
        valueFormat: 'avro',
        avro: { registrar: new LocalSchemaDirectory('data/schemas'), schemaId: 1 },
        out: '-',
      },
      captureOutput(),
    );
    const values = decodeEvent(events[0]!)
      .flat()
      .map((r) => r.value);

    expect(values.filter((v) => v === null)).toHaveLength(1);
    expect(values.filter((v) => v !== null && v[0] === 0)).toHaveLength(3);
    expect(values.filter((v) => v?.toString('utf8').includes('"PULocationID":"Kips Bay"'))).toHaveLength(1);
  });
});
