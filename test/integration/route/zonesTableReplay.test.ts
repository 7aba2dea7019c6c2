import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Message } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runRun } from '../../../scripts/commands/run.js';
import { captureOutput } from '../../../scripts/lib/output.js';
import { runProduce } from '../../../scripts/lib/produceFile.js';
import type { KafkaRecord } from '../../../shared/engine/event/index.js';
import { createDocumentClient } from '../../../shared/engine/store/dynamo/index.js';
import { tableNamesFromEnv } from '../../../shared/engine/store/index.js';
import { createTopicsAndWait } from '../../../shared/kafka/index.js';
import { type EmbeddedDynamo, ensureTables, startEmbeddedDynamo } from '../../../shared/local/index.js';
import { dataPath } from '../../support/rides.js';
import { eventually, produce, readTopic, testKafka, unique } from '../esm/esmTestKit.js';
import {
  committedTotal,
  killRunnerProcesses,
  SESSION_TIMEOUT_MS,
  startRunnerProcess,
} from './routeEnrichScenario.js';

/** The table the zones-table pipeline materializes (its pipeline name). */
const TABLE = 'zones';

/**
 * The changes after the initial load, from the zone records as produced (file order):
 * every 7th zone moves borough, every 21st moves twice, every 25th is deleted (tombstone),
 * the 50th is deleted and then comes back, and a key that never existed is deleted.
 */
function changesTo(zones: readonly KafkaRecord[]): Message[] {
  const value = (r: KafkaRecord, borough: (b: string) => string) => {
    const row = JSON.parse(r.value!.toString()) as Record<string, string>;
    return JSON.stringify({ ...row, borough: borough(String(row.borough)) });
  };
  const nth = (n: number) => zones.filter((_, i) => (i + 1) % n === 0);
  const comeback = zones[49]!;
  return [
    ...nth(7).map((r) => ({ key: r.key, value: value(r, (b) => `${b} (moved)`) })),
    ...nth(21).map((r) => ({ key: r.key, value: value(r, (b) => `${b} (moved twice)`) })),
    ...nth(25).map((r) => ({ key: r.key, value: null })),
    { key: comeback.key, value: null },
    { key: comeback.key, value: value(comeback, (b) => `${b} (back)`) },
    { key: '999', value: null },
  ];
}

/**
 * The reference: the topic applied record by record, each partition in offset order, to a
 * Map (a value sets the key, a tombstone deletes it). A key lives on one partition (the
 * producer partitions by key), so that order is the key's order.
 */
function latestPerKey(records: readonly KafkaRecord[]): Map<string, unknown> {
  const table = new Map<string, unknown>();
  const inOffsetOrder = [...records].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  for (const r of inOffsetOrder) {
    const key = r.key!.toString();
    if (r.value === null) table.delete(key);
    else table.set(key, JSON.parse(r.value.toString()));
  }
  return table;
}

/**
 * The `zones-table` function (a KTable of the compacted zones topic) on the shared broker:
 * loads, updates and tombstones, the runner process killed with SIGKILL mid-stream, the
 * `run` command finishing; then the group's offsets reset to the earliest and the whole
 * topic replayed.
 */
describe('zones table on a real broker: updates, tombstones, a killed runner and a replay', () => {
  const brokers = inject('kafkaBrokers');
  const kafka = testKafka(brokers);
  const admin = kafka.admin();
  const tables = tableNamesFromEnv();
  let dynamo: EmbeddedDynamo;

  beforeAll(async () => {
    await admin.connect();
    dynamo = await startEmbeddedDynamo();
    await ensureTables(dynamo.endpoint, tables);
  });
  afterAll(async () => {
    killRunnerProcesses();
    await admin.disconnect();
    await dynamo?.close();
  });

  /** Every item of the zones table, live rows and delete markers, all attributes, sorted by key. */
  async function tableItems(): Promise<Record<string, unknown>[]> {
    const doc = createDocumentClient({ endpoint: dynamo.endpoint });
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new ScanCommand({ TableName: tables.state, ExclusiveStartKey }));
      items.push(...(page.Items ?? []).filter((i) => String(i.pk).startsWith(`${TABLE}#row#`)));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    doc.destroy();
    return items.sort((a, b) => String(a.pk).localeCompare(String(b.pk)));
  }

  /** How many of the zones pipeline's checkpoints of `topic` exist (the partitions it checkpointed). */
  async function checkpointCount(topic: string): Promise<number> {
    const doc = createDocumentClient({ endpoint: dynamo.endpoint });
    const page = await doc.send(new ScanCommand({ TableName: tables.state }));
    doc.destroy();
    return (page.Items ?? []).filter((i) => String(i.pk).startsWith(`${TABLE}#streamtime#${topic}-`)).length;
  }

  /** Deletes the zones pipeline's stream-time checkpoints of `topic` (what lets a redelivery skip records). */
  async function deleteCheckpoints(topic: string): Promise<void> {
    const doc = createDocumentClient({ endpoint: dynamo.endpoint });
    for (let p = 0; p < 3; p++) {
      await doc.send(
        new DeleteCommand({
          TableName: tables.state,
          Key: { pk: `${TABLE}#streamtime#${topic}-${p}`, sk: 0 },
        }),
      );
    }
    doc.destroy();
  }

  /** The `run` command on the zones topic in `group`, until caught up; its one summary. */
  async function runTable(topic: string, group: string) {
    const [summary] = await runRun({
      brokers,
      functions: ['zones-table'],
      topic,
      group,
      untilCaughtUp: true,
      endpoint: dynamo.endpoint,
      onFailure: 'none',
      progressIntervalS: 0,
      output: captureOutput(),
    });
    return summary!;
  }

  it('ends with exactly the latest value per key, tombstoned keys absent, and a replay from the earliest offsets changes no byte', async () => {
    // Arrange: the zones file, then the changes, on a compacted 3-partition topic.
    const topic = unique('zones');
    await createTopicsAndWait(admin, [
      { topic, numPartitions: 3, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
    ]);
    const loaded = await runProduce({
      brokers,
      topic,
      file: dataPath('taxi_zone_lookup.csv'),
      keyField: 'locationid',
      quiet: true,
      output: captureOutput(),
    });
    const zones = await readTopic(kafka, topic, loaded.records);
    const inFileOrder = [...zones].sort((a, b) => Number(a.key) - Number(b.key));
    const changes = changesTo(inFileOrder);
    await produce(kafka, topic, changes);
    const records = await readTopic(kafka, topic, zones.length + changes.length);
    const expected = latestPerKey(records);
    const group = unique('zones-table');

    // Act 1: a runner process, killed with SIGKILL once it has committed 100 records.
    const child = await startRunnerProcess({
      brokers,
      endpoint: dynamo.endpoint,
      topic,
      group,
      functions: ['zones-table'],
      batchSize: 10,
      delayMs: 50,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
    });
    const exited = new Promise((r) => child.once('exit', (_code, signal) => r(signal)));
    const groupId = `${group}-zones-table`;
    await eventually(
      async () => (await committedTotal(admin, groupId, topic)) >= 100,
      30_000,
      'the runner process to commit 100 records',
    );
    child.kill('SIGKILL');
    const signal = await exited;
    const committedAtKill = await committedTotal(admin, groupId, topic);

    // Act 2: the `run` command takes over the group and finishes.
    const finished = await runTable(topic, groupId);
    const afterRun = await tableItems();
    const checkpointed = await checkpointCount(topic);

    // Act 3: the group's offsets back to the earliest, and the whole topic again.
    await admin.resetOffsets({ groupId, topic, earliest: true });
    const replayed = await runTable(topic, groupId);
    const afterReplay = await tableItems();

    // Act 4: again, with the pipeline's checkpoints deleted first, so the replay cannot skip
    // records as already applied: only the conditional writes can keep the table as it is.
    await deleteCheckpoints(topic);
    await admin.resetOffsets({ groupId, topic, earliest: true });
    const replayedUnchecked = await runTable(topic, groupId);
    const afterUncheckedReplay = await tableItems();

    // Assert: the kill was mid-stream; each key lives on one partition (so the reference's
    // order is the key's order).
    expect(signal).toBe('SIGKILL');
    expect(committedAtKill).toBeLessThan(records.length);
    const partitionsOf = new Map<string, Set<number>>();
    for (const r of records)
      partitionsOf.set(String(r.key), (partitionsOf.get(String(r.key)) ?? new Set()).add(r.partition));
    expect([...partitionsOf.values()].every((s) => s.size === 1)).toBe(true);

    // Assert: the live rows are exactly the reference's, the tombstoned keys are delete markers.
    const live = afterRun.filter((i) => i.deleted !== true);
    expect(new Map(live.map((i) => [String(i.key), JSON.parse(String(i.value))]))).toEqual(expected);
    const tombstoned = [...partitionsOf.keys()].filter((k) => !expected.has(k)).sort();
    // Every 25th zone but the 50th (which came back), and the key that never existed.
    expect(tombstoned).toHaveLength(10);
    expect(
      afterRun
        .filter((i) => i.deleted === true)
        .map((i) => String(i.key))
        .sort(),
    ).toEqual(tombstoned);
    expect(finished.recordsDiscarded).toBe(0);

    // Assert: the replay delivered every record again and changed nothing, attribute for attribute.
    expect(replayed.recordsDelivered).toBe(records.length);
    expect(afterReplay).toEqual(afterRun);
    expect(checkpointed).toBe(3); // so deleting them left the replay nothing to skip by
    expect(replayedUnchecked.recordsDelivered).toBe(records.length);
    expect(afterUncheckedReplay).toEqual(afterRun);
    expect(await committedTotal(admin, groupId, topic)).toBe(records.length);
  });
});
