import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { catalog } from '../../../functions/catalog.js';
import { runJoinReplay } from '../../../scripts/commands/replay.js';
import { runStart, type StartResult, startSource } from '../../../scripts/commands/start.js';
import { openDynamo } from '../../../scripts/lib/dynamoContext.js';
import { type CapturedOutput, captureOutput } from '../../../scripts/lib/output.js';
import { handlersReading } from '../../../scripts/lib/pipelineSelection.js';
import { decodeEvent, type KafkaRecord } from '../../../shared/engine/event/index.js';
import type { JoinPair } from '../../../shared/engine/processors/index.js';
import { scanJoinPairs } from '../../../shared/engine/store/dynamo/index.js';
import { createTopicsAndWait } from '../../../shared/kafka/index.js';
import { PICKUP_LOCATIONS_TOPIC, RIDES_TOPIC, ridePickupJoin } from '../../../shared/rides/index.js';
import { tablesIn } from '../../support/localTables.js';
import { readTopic, testKafka } from '../esm/esmTestKit.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

/** One clock for every run, so TTL attributes (`expiresAt`) compare equal. */
const FIXED_NOW_MS = Date.parse('2026-01-01T00:00:00Z');
const nowMs = () => FIXED_NOW_MS;

/** What `start` printed from the first summary heading to the end of the per-pipeline table. */
function summaryLines(output: CapturedOutput): string[] {
  const from = output.stdout.findIndex((l) => l.startsWith('Busiest 5-minute pickup windows'));
  const to = output.stdout.findIndex((l) => l.startsWith('late = dead letters'));
  expect(from).toBeGreaterThan(0);
  return output.stdout.slice(from, to + 1);
}

/** The coordinates and bytes of a record, comparable with toEqual. */
const plain = (r: KafkaRecord) => ({
  partition: r.partition,
  offset: r.offset,
  timestampMs: r.timestampMs,
  key: r.key?.toString('utf8') ?? null,
  value: r.value?.toString('utf8') ?? null,
});

describe('start on a real broker (KAFKA_BROKERS / --brokers)', () => {
  const brokers = inject('kafkaBrokers');
  const topic = `rides-start-test-${randomUUID().slice(0, 8)}`;
  /** The join's other input: `<rides topic>-pickup-locations` on both paths. */
  const pickupTopic = `${topic}-${PICKUP_LOCATIONS_TOPIC}`;
  let dir: string;
  let onBroker: StartResult;
  let brokerOutput: CapturedOutput;
  let embedded: StartResult;
  let embeddedOutput: CapturedOutput;
  const extraTopics: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'start-broker-'));
    brokerOutput = captureOutput();
    onBroker = await runStart({ brokers, topic, dataDir: join(dir, 'broker'), nowMs }, brokerOutput);
    embeddedOutput = captureOutput();
    // The embedded path on the same topic name: its tables name the topic in keys too.
    embedded = await runStart({ topic, dataDir: join(dir, 'embedded'), nowMs }, embeddedOutput);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    const admin = testKafka(brokers).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, pickupTopic, ...extraTopics] }).catch(() => {});
    await admin.disconnect();
  });

  it('takes the broker path when brokers are given, and says so on its first line', () => {
    expect(onBroker.path).toBe('broker');
    expect(brokerOutput.stdout[0]).toBe(
      `Path: Kafka broker at ${brokers} (from --brokers): topic ${topic}, one local event-source mapping per handler`,
    );
    expect(embedded.path).toBe('embedded');
    expect(embeddedOutput.stdout[0]).toMatch(/^Path: embedded replay, no broker/);
  });

  it('puts every ride on the partition, at the offset, with the key, value and timestamp the embedded replay gives it', async () => {
    // Arrange: the records the embedded path feeds its handlers.
    const replayed: KafkaRecord[] = [];
    for await (const event of startSource({ topic }).batches()) replayed.push(...decodeEvent(event).flat());

    // Act: read the topic back as the broker stored it.
    const onTopic = await readTopic(testKafka(brokers), topic, replayed.length);

    // Assert
    expect(replayed).toHaveLength(266);
    const order = (a: { partition: number; offset: number }, b: { partition: number; offset: number }) =>
      a.partition - b.partition || a.offset - b.offset;
    expect(onTopic.map(plain).sort(order)).toEqual(replayed.map(plain).sort(order));
  });

  it('lets every mapping, each in its own fresh consumer group, deliver and commit every record', () => {
    if (onBroker.path !== 'broker') throw new Error('expected the broker path');
    expect(onBroker.produced.records).toBe(266);
    // Every handler of the catalog reading the rides topic, in catalog order.
    const ridesReaders = handlersReading(catalog.handlers, RIDES_TOPIC).map((h) => h.name);
    expect(ridesReaders).toEqual(
      expect.arrayContaining([
        'rides-count-by-dropoff',
        'rides-sessions',
        'rides-tips-final',
        'rides-join-pickups',
      ]),
    );
    expect(onBroker.mappings.map((m) => m.functionName)).toEqual(ridesReaders);
    expect(new Set(onBroker.mappings.map((m) => m.consumerGroupId)).size).toBe(ridesReaders.length);
    const ends = new Map(Object.entries(onBroker.produced.partitions).map(([p, n]) => [Number(p), n]));
    for (const m of onBroker.mappings) {
      expect(m.recordsDelivered).toBe(266);
      expect(m.recordsDiscarded).toBe(0);
      expect(m.committed).toEqual(ends);
    }
  });

  it("produces the pickup locations to their own topic and maps it with the join's other handler, alongside the rides", () => {
    if (onBroker.path !== 'broker') throw new Error('expected the broker path');
    const pickups = onBroker.pickupLocations;
    expect(pickups?.topic).toBe(pickupTopic);
    expect(pickups?.produced.records).toBe(266);
    expect(pickups?.mappings.map((m) => m.functionName)).toEqual(
      handlersReading(catalog.handlers, PICKUP_LOCATIONS_TOPIC).map((h) => h.name),
    );
    for (const m of pickups?.mappings ?? []) {
      expect(m.recordsDelivered).toBe(266);
      expect(m.recordsDiscarded).toBe(0);
      expect(onBroker.mappings.map((r) => r.consumerGroupId)).not.toContain(m.consumerGroupId);
    }
  });

  it("leaves the join pairs that `replay` of both files in one run leaves (record ids on this run's topics)", async () => {
    // Arrange: the replay of both files, on the declared topics rides and pickup-locations.
    const replayed = await openDynamo({ inMemory: true, forceEmbedded: true, nowMs });
    let fromReplay: JoinPair[];
    try {
      await runJoinReplay(
        {
          files: ['data/rides.csv', 'data/pickup-locations.jsonl'],
          pipelines: [ridePickupJoin.name],
          context: replayed,
        },
        captureOutput(),
      );
      fromReplay = await scanJoinPairs(replayed.doc, replayed.tables.state, ridePickupJoin.name);
    } finally {
      await replayed.close();
    }
    // Act: the pairs both mappings left, with this run's topics named as the replay's.
    const onBrokerStore = await openDynamo({ forceEmbedded: true, dataDir: join(dir, 'broker') });
    let fromBroker: JoinPair[];
    try {
      fromBroker = await scanJoinPairs(onBrokerStore.doc, onBrokerStore.tables.state, ridePickupJoin.name);
    } finally {
      await onBrokerStore.close();
    }
    const declared = (id: string) =>
      id
        .replaceAll(`${pickupTopic}/`, `${PICKUP_LOCATIONS_TOPIC}/`)
        .replaceAll(`${topic}/`, `${RIDES_TOPIC}/`);
    const renamed = fromBroker.map((p) => ({
      ...p,
      id: declared(p.id),
      leftId: declared(p.leftId),
      rightId: declared(p.rightId),
    }));

    // Assert
    expect(fromReplay.length).toBeGreaterThan(0);
    expect(renamed).toEqual(fromReplay);
  });

  it('routes every ride of this run to the high- or low-amount topic on the broker (29 and 237), and enriches every ride with its zones', async () => {
    const kafka = testKafka(brokers);
    const admin = kafka.admin();
    await admin.connect();
    const ends = async (t: string) =>
      (await admin.fetchTopicOffsets(t)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    const sizes = {
      high: await ends('rides_high_amount'),
      low: await ends('rides_low_amount'),
      enriched: await ends('rides_enriched'),
    };
    await admin.disconnect();
    // The output topics are shared by every run on this broker: this run's records are those
    // whose kls-source names this run's input topic. Copies (a resend after a failure) share it.
    const ofThisRun = async (t: string, n: number) => {
      const mine = (await readTopic(kafka, t, n)).filter((r) =>
        r.headers.some((h) => h.name === 'kls-source' && h.value.toString().includes(`/${topic}/`)),
      );
      return new Map(mine.map((r) => [r.headers.find((h) => h.name === 'kls-source')!.value.toString(), r]));
    };
    const high = await ofThisRun('rides_high_amount', sizes.high);
    const low = await ofThisRun('rides_low_amount', sizes.low);
    const enriched = await ofThisRun('rides_enriched', sizes.enriched);
    expect([high.size, low.size, enriched.size]).toEqual([29, 237, 266]);
    for (const r of high.values())
      expect(Number(JSON.parse(r.value!.toString()).total_amount)).toBeGreaterThanOrEqual(40);
    for (const r of low.values())
      expect(Number(JSON.parse(r.value!.toString()).total_amount)).toBeLessThan(40);
    for (const r of enriched.values()) {
      const ride = JSON.parse(r.value!.toString());
      expect(typeof ride.pickup?.borough, JSON.stringify(ride)).toBe('string');
      expect(typeof ride.dropoff?.zone, JSON.stringify(ride)).toBe('string');
    }
  });

  it('prints the same summaries as the embedded path, late records included', async () => {
    // The default embedded run (topic rides, in memory, the same pinned clock: final results carry
    // the time they were marked): the summaries do not depend on the topic.
    const byDefaultOutput = captureOutput();
    const byDefault = await runStart({ inMemory: true, nowMs }, byDefaultOutput);

    expect(onBroker.summary).toEqual(byDefault.summary);
    expect(summaryLines(brokerOutput)).toEqual(summaryLines(byDefaultOutput));
    const pickup = onBroker.summary.pipelines.find((p) => p.pipeline === 'pickup-5m');
    expect(pickup?.late).toBeGreaterThan(0);
  });

  it('leaves exactly the tables the embedded path leaves: aggregates, dead letters and stream-time checkpoints', async () => {
    const fromBroker = await tablesIn(join(dir, 'broker'));
    const fromReplay = await tablesIn(join(dir, 'embedded'));

    expect(fromBroker.aggregates.length).toBeGreaterThan(100);
    expect(fromBroker.deadLetters.length).toBeGreaterThan(0);
    expect(fromBroker).toEqual(fromReplay);
  });

  it('refuses a topic that already holds records, naming it and the ways out', async () => {
    await expect(runStart({ brokers, topic, inMemory: true }, captureOutput())).rejects.toThrow(
      new RegExp(`topic "${topic}" already holds 266 records.*leave out --topic.*topics delete ${topic}`),
    );
  });

  it('refuses an empty topic whose retention would delete the 2020-stamped rides before they are read', async () => {
    // Arrange: an empty topic with the broker's default retention (7 days, on record timestamps).
    const admin = testKafka(brokers).admin();
    await admin.connect();
    const shortLived = `${topic}-default-retention`;
    extraTopics.push(shortLived);
    await createTopicsAndWait(admin, [{ topic: shortLived, numPartitions: 3 }]);
    await admin.disconnect();

    // Act / Assert
    await expect(runStart({ brokers, topic: shortLived, inMemory: true }, captureOutput())).rejects.toThrow(
      new RegExp(
        `topic "${shortLived}" has retention.ms=\\d+ .*topics create ${shortLived} --partitions 3 --retention-ms -1`,
      ),
    );
  });

  it('fails within seconds, saying how to start a broker, when none answers', async () => {
    const startedMs = Date.now();
    await expect(runStart({ brokers: '127.0.0.1:1', inMemory: true }, captureOutput())).rejects.toThrow(
      /no Kafka broker answered at 127\.0\.0\.1:1.*bash scripts\/kafka\/broker\.sh start.*unset KAFKA_BROKERS/,
    );
    expect(Date.now() - startedMs).toBeLessThan(10_000);
  });

  it('npm start takes the broker path when KAFKA_BROKERS is set (spawned)', () => {
    const run = spawnSync('npx', ['tsx', 'scripts/cli.ts', 'start', '--in-memory'], {
      env: { ...process.env, KAFKA_BROKERS: brokers, DYNAMODB_ENDPOINT: '' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^Path: Kafka broker at ${brokers} \\(from KAFKA_BROKERS\\): topic rides-start-\\d+,`),
    );
    expect(run.stderr).toMatch(/produced 266 records .* records per partition: 0: \d+, 1: \d+, 2: \d+/);
    const from = lines.findIndex((l) => l.startsWith('Busiest 5-minute pickup windows'));
    expect(lines.slice(from, from + summaryLines(brokerOutput).length)).toEqual(summaryLines(brokerOutput));
    const made = /topic (rides-start-\d+)/.exec(lines[0] ?? '')?.[1];
    expect(run.stdout).toContain(
      `delete them with: npm run -s cli -- topics delete ${made} ${made}-${PICKUP_LOCATIONS_TOPIC}`,
    );
    if (made) extraTopics.push(made, `${made}-${PICKUP_LOCATIONS_TOPIC}`);
  });
});
