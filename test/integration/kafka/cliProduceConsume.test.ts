import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, type KafkaMessage, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ConsumedRecord, runConsume } from '../../../scripts/commands/consume.js';
import { runDatagen } from '../../../scripts/commands/datagen.js';
import { runProduce } from '../../../scripts/commands/produce.js';
import { createTopic, deleteTopics } from '../../../scripts/commands/topics.js';
import { PRODUCER_ACKS, PRODUCER_CONFIG } from '../../../scripts/lib/kafkaProducer.js';
import { captureOutput } from '../../../scripts/lib/output.js';
import { InvalidRecordError } from '../../../shared/engine/errors/index.js';
import { partitionForKey } from '../../../shared/kafka/index.js';
import { formatRecord, generateRides } from '../../../shared/local/datagen/index.js';
import { typeCells } from '../../../shared/local/io/index.js';
import { loadZones, parseDatetimeMs } from '../../../shared/rides/schemas/index.js';
import { dataPath, loadRideRows } from '../../support/rides.js';

/** A CSV row as `produce` sends it: the JSON of the file reader's typed cells. */
const rideJson = (row: Record<string, string>): string => JSON.stringify(typeCells(row));

/**
 * `produce`, `consume` and `datagen --topic` against the real broker of the integration run:
 * what goes in comes out with the same keys, values, headers and timestamps.
 */

const brokers = inject('kafkaBrokers');
const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');
const PARTITIONS = 3;
const topics: string[] = [];
let dir: string;

async function newTopic(prefix: string): Promise<string> {
  const name = `${prefix}-${randomUUID()}`;
  topics.push(name);
  await createTopic({ brokers, name, partitions: PARTITIONS, replicationFactor: 1, output: captureOutput() });
  return name;
}

/** Reads a whole topic with the consume command, as its --json lines. */
async function consumeAll(
  topic: string,
  options: { group?: string; max?: number } = {},
): Promise<ConsumedRecord[]> {
  const out = captureOutput();
  await runConsume({ brokers, topic, json: true, idleTimeoutMs: 3000, output: out, ...options });
  return out.stdout.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as ConsumedRecord);
}

const adminKafka = new Kafka({
  clientId: 'cli-test-admin',
  brokers: brokers.split(','),
  logLevel: logLevel.NOTHING,
});

/** Records before the committed offsets of a group, over all partitions of a topic. */
async function committedCount(group: string, topic: string): Promise<number> {
  const admin = adminKafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return (offsets?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

async function groupExists(group: string): Promise<boolean> {
  const admin = adminKafka.admin();
  await admin.connect();
  try {
    return (await admin.listGroups()).groups.some((g) => g.groupId === group);
  } finally {
    await admin.disconnect();
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-produce-'));
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await deleteTopics({ brokers, names: topics, output: captureOutput() });
});

describe('produce then consume', () => {
  it('round-trips the rides of data/rides.csv with DOLocationID keys, JSON values and headers', async () => {
    const topic = await newTopic('cli-roundtrip');
    const rows = loadRideRows();
    const out = captureOutput();

    const summary = await runProduce({
      brokers,
      topic,
      file: dataPath('rides.csv'),
      headers: { source: 'cli-test' },
      output: out,
    });
    const consumed = await consumeAll(topic);

    expect(summary.records).toBe(rows.length);
    expect(Object.values(summary.partitions).reduce((a, b) => a + b, 0)).toBe(rows.length);
    expect(out.stderr.join('\n')).toMatch(
      new RegExp(`produced ${rows.length} records \\(.* MB\\) to "${topic}"`),
    );
    expect(consumed).toHaveLength(rows.length);
    const sent = rows.map((row) => ({ key: row.DOLocationID, value: rideJson(row) }));
    const received = consumed.map((r) => ({ key: r.key, value: r.value }));
    const byText = (a: { key: unknown; value: unknown }) => JSON.stringify(a);
    expect(received.map(byText).sort()).toEqual(sent.map(byText).sort());
    for (const r of consumed) {
      expect(r.headers).toEqual({ 'content-type': 'application/json', source: 'cli-test' });
      expect(r.partition).toBe(partitionForKey(r.key as string, PARTITIONS));
    }
    const perPartition: Record<number, number> = {};
    for (const r of consumed) perPartition[r.partition] = (perPartition[r.partition] ?? 0) + 1;
    expect(summary.partitions).toEqual(perPartition);
  });

  it('keeps file order within a partition and stamps records from --timestamp-field', async () => {
    const topic = await newTopic('cli-timestamps');
    const rows = loadRideRows().slice(0, 40);

    await runProduce({
      brokers,
      topic,
      file: dataPath('rides.csv'),
      count: rows.length,
      timestampField: 'tpep_pickup_datetime',
      output: captureOutput(),
    });
    const consumed = await consumeAll(topic);

    const expectedTimes = new Map(
      rows.map((r) => [
        rideJson(r),
        new Date(parseDatetimeMs(r.tpep_pickup_datetime) as number).toISOString(),
      ]),
    );
    expect(consumed).toHaveLength(rows.length);
    for (const r of consumed) expect(r.timestamp).toBe(expectedTimes.get(r.value as string));
    for (let p = 0; p < PARTITIONS; p++) {
      const inPartition = consumed.filter((r) => r.partition === p);
      const fileOrder = rows.map(rideJson).filter((v) => inPartition.some((r) => r.value === v));
      expect(inPartition.map((r) => r.value)).toEqual(fileOrder);
    }
  });

  it('stops after --count records and sends CSV lines as values with --value-format csv and --no-key', async () => {
    const topic = await newTopic('cli-count');

    const summary = await runProduce({
      brokers,
      topic,
      file: dataPath('rides.csv'),
      count: 25,
      valueFormat: 'csv',
      keyField: null,
      output: captureOutput(),
    });
    const consumed = await consumeAll(topic);

    expect(summary.records).toBe(25);
    expect(consumed).toHaveLength(25);
    expect(consumed.every((r) => r.key === null && r.headers['content-type'] === 'text/csv')).toBe(true);
    expect(consumed.map((r) => r.value).sort()).toContain(
      '1,2020-07-01 00:25:32,2020-07-01 00:33:39,1,1.50,1,N,238,75,2,8,0.5,0.5,0,0,0.3,9.3,0',
    );
  });

  it('paces records with --rate', async () => {
    const topic = await newTopic('cli-rate');
    const startedMs = Date.now();

    const summary = await runProduce({
      brokers,
      topic,
      file: dataPath('rides.csv'),
      count: 6,
      ratePerSecond: 10,
      output: captureOutput(),
    });

    // Six records at 10/s: the sixth is due 500 ms after the first.
    expect(summary.records).toBe(6);
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(500);
  });

  it('stops at a broken line, naming it, after producing the lines before it; --allow-malformed sends it as is', async () => {
    const file = join(dir, 'broken.jsonl');
    const good = loadRideRows().slice(0, 3).map(rideJson);
    writeFileSync(file, `${good[0]}\n${good[1]}\n{"VendorID": 2, "tpep_pi\n${good[2]}\n`);
    const strictTopic = await newTopic('cli-broken-strict');
    const lenientTopic = await newTopic('cli-broken-lenient');

    const error = await runProduce({ brokers, topic: strictTopic, file, output: captureOutput() }).catch(
      (e) => e,
    );
    const lenient = await runProduce({
      brokers,
      topic: lenientTopic,
      file,
      allowMalformed: true,
      output: captureOutput(),
    });

    expect(error).toBeInstanceOf(InvalidRecordError);
    expect(error.message).toContain(`${file}:3`);
    expect(error.message).toContain('--allow-malformed');
    expect(error.message).toContain('the 2 records before it were produced');
    expect((await consumeAll(strictTopic)).map((r) => r.value).sort()).toEqual([good[0], good[1]].sort());
    expect(lenient.records).toBe(4);
    const broken = (await consumeAll(lenientTopic)).find((r) => r.value === '{"VendorID": 2, "tpep_pi');
    expect(broken?.key).toBeNull();
  });

  it('fails on a missing topic with the command that creates it', async () => {
    await expect(
      runProduce({
        brokers,
        topic: `cli-missing-${randomUUID()}`,
        file: dataPath('rides.csv'),
        output: captureOutput(),
      }),
    ).rejects.toThrow(/does not exist: create it with `npm run cli -- topics create/);
  });
});

describe('the idempotent producer', () => {
  it('uses idempotence with acks=all and one request in flight', () => {
    expect(PRODUCER_CONFIG).toMatchObject({ idempotent: true, maxInFlightRequests: 1 });
    expect(PRODUCER_ACKS).toBe(-1);
  });

  it('writes record batches that carry a producer id and sequence numbers (only idempotent producers get them)', async () => {
    const topic = await newTopic('cli-idempotent');
    await runProduce({ brokers, topic, file: dataPath('rides.csv'), count: 30, output: captureOutput() });
    const kafka = new Kafka({
      clientId: 'cli-idempotent-test',
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: `cli-idempotent-${randomUUID()}`, maxWaitTimeInMs: 250 });
    const contexts: Array<{ producerId: string; firstSequence: number }> = [];

    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          // kafkajs keeps the record batch header on each decoded message (not in its types).
          contexts.push((message as KafkaMessage & { batchContext: (typeof contexts)[number] }).batchContext);
        },
      });
      const deadline = Date.now() + 20_000;
      while (contexts.length < 30 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await consumer.disconnect();
    }

    expect(contexts).toHaveLength(30);
    for (const c of contexts) {
      expect(BigInt(c.producerId)).toBeGreaterThanOrEqual(0n); // -1 for a plain producer
      expect(c.firstSequence).toBeGreaterThanOrEqual(0); // -1 for a plain producer
    }
  });
});

describe('consume', () => {
  it('commits the offsets of printed records for a named group, so the next run resumes after them', async () => {
    const topic = await newTopic('cli-group');
    await runProduce({
      brokers,
      topic,
      file: dataPath('rides.csv'),
      count: 20,
      keyField: null,
      output: captureOutput(),
    });
    const group = `cli-group-${randomUUID()}`;

    const first = await consumeAll(topic, { group, max: 8 });
    const committedAfterFirst = await committedCount(group, topic);
    const rest = await consumeAll(topic, { group });

    expect(first).toHaveLength(8);
    expect(committedAfterFirst).toBe(8);
    expect(rest).toHaveLength(12);
    const seen = [...first, ...rest].map((r) => `${r.partition}@${r.offset}`);
    expect(new Set(seen).size).toBe(20);
  });

  it('reads with a throwaway group without committing, and says so', async () => {
    const topic = await newTopic('cli-throwaway');
    await runProduce({ brokers, topic, file: dataPath('rides.csv'), count: 5, output: captureOutput() });
    const out = captureOutput();

    const result = await runConsume({ brokers, topic, max: 5, output: out });
    const again = await consumeAll(topic);

    expect(result.throwawayGroup).toBe(true);
    expect(result.committed).toEqual([]);
    expect(await groupExists(result.group)).toBe(false);
    expect(out.stderr.join('\n')).toContain('no --group given');
    expect(again).toHaveLength(5);
  });

  it('prints readable records with partition, offset, ISO timestamp, key, headers and value', async () => {
    const topic = await newTopic('cli-readable');
    await runProduce({ brokers, topic, file: dataPath('rides.csv'), count: 1, output: captureOutput() });
    const out = captureOutput();

    await runConsume({ brokers, topic, max: 1, output: out });

    const row = loadRideRows()[0]!;
    expect(out.stdout[0]).toMatch(
      new RegExp(
        `^${topic}\\[\\d\\]@0 \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z key="75" headers: content-type=application/json$`,
      ),
    );
    expect(out.stdout[1]).toBe(`  ${rideJson(row)}`);
  });

  it('stops after the idle timeout on an empty topic', async () => {
    const topic = await newTopic('cli-idle');

    const result = await runConsume({ brokers, topic, idleTimeoutMs: 500, output: captureOutput() });

    expect(result).toMatchObject({ records: 0, stoppedBecause: 'idle' });
  });
});

describe('datagen --topic', () => {
  it('produces exactly the lines the generator writes for the same seed, keyed by DOLocationID', async () => {
    const topic = await newTopic('cli-datagen');
    const zones = loadZones(dataPath('taxi_zone_lookup.csv'));
    const expected = [
      ...generateRides({
        seed: 'it',
        zones: zones.values(),
        count: 300,
        outOfOrderShare: 0.1,
        malformedShare: 0.05,
      }),
    ];

    const summary = await runDatagen({
      brokers,
      topic,
      seed: 'it',
      count: 300,
      outOfOrderShare: 0.1,
      malformedShare: 0.05,
      output: captureOutput(),
    });
    const consumed = await consumeAll(topic);

    expect(summary.produce?.records).toBe(300);
    expect(summary.malformed).toBe(expected.filter((r) => r.kind === 'malformed').length);
    expect(consumed.map((r) => r.value).sort()).toEqual(expected.map((r) => formatRecord(r, 'jsonl')).sort());
    for (const r of consumed) {
      const original = expected.find((e) => formatRecord(e, 'jsonl') === r.value)!;
      const fields: Record<string, unknown> = original.kind === 'ride' ? original.ride : original.fields;
      expect(r.key).toBe(fields.DOLocationID === undefined ? null : String(fields.DOLocationID));
    }
  });
});

describe('the CLI as a process', () => {
  const run = promisify(execFile);
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    run('npx', ['tsx', 'scripts/cli.ts', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      timeout: 60_000,
    });

  it('produces a file with `npx tsx scripts/cli.ts produce` and prints the summary on stderr', async () => {
    const topic = await newTopic('cli-process');

    const { stderr } = await cli([
      'produce',
      '--topic',
      topic,
      '--file',
      'data/rides.csv',
      '--count',
      '50',
      '--brokers',
      brokers,
    ]);
    const consumed = await consumeAll(topic);

    expect(stderr).toMatch(
      new RegExp(`produced 50 records \\(.* MB\\) to "${topic}" in .* s: \\d+ records/s`),
    );
    expect(consumed).toHaveLength(50);
  });

  it('exits 1 with a message naming the broker and broker.sh when none answers', async () => {
    const error = await cli(['topics', 'list'], { KAFKA_BROKERS: '127.0.0.1:1' }).catch((e) => e);

    expect(error.code).toBe(1);
    expect(error.stderr).toMatch(
      /no Kafka broker answered at 127\.0\.0\.1:1 .*bash scripts\/kafka\/broker\.sh start/,
    );
  });
});
