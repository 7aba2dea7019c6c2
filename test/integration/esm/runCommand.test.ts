import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runRun } from '../../../scripts/commands/run.js';
import { openDynamo } from '../../../scripts/lib/dynamoContext.js';
import { captureOutput } from '../../../scripts/lib/output.js';
import { createDocumentClient, readNumber } from '../../../shared/engine/store/dynamo/index.js';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../../shared/local/index.js';
import {
  committedOffsets,
  createTopic,
  produce,
  RIDE_FUNCTIONS,
  rideMessages,
  testKafka,
  unique,
} from './esmTestKit.js';

/** The `run` command end to end: flags in, handlers over DynamoDB, summaries out. */
describe('cli run', () => {
  let kafka: Kafka;
  let admin: Admin;
  let dynamo: EmbeddedDynamo;
  const brokers = inject('kafkaBrokers');

  beforeAll(async () => {
    kafka = testKafka(brokers);
    admin = kafka.admin();
    await admin.connect();
    dynamo = await startEmbeddedDynamo();
  });
  afterAll(async () => {
    await admin?.disconnect();
    await dynamo?.close();
  });

  it('runs the three ride handlers, one consumer group each, until caught up, and aggregates every ride', async () => {
    // Arrange
    const topic = unique('cli-rides');
    await createTopic(admin, topic, 3);
    const messages = rideMessages();
    await produce(kafka, topic, messages);
    const group = unique('cli');
    const output = captureOutput();

    // Act
    const summaries = await runRun({
      brokers,
      functions: [...RIDE_FUNCTIONS],
      topic,
      group,
      untilCaughtUp: true,
      endpoint: dynamo.endpoint,
      onFailure: join(await mkdtemp(join(tmpdir(), 'esm-cli-')), 'failures.jsonl'),
      progressIntervalS: 0,
      output,
    });

    // Assert: one summary per function on stdout, each group at the end of every partition.
    expect(summaries.map((s) => [s.functionName, s.consumerGroupId, s.recordsDelivered])).toEqual(
      RIDE_FUNCTIONS.map((f) => [f, `${group}-${f}`, messages.length]),
    );
    expect(output.stdout.map((l) => JSON.parse(l).functionName)).toEqual([...RIDE_FUNCTIONS]);
    expect(output.stderr).toContain('caught up: lag is 0 on every partition');
    for (const f of RIDE_FUNCTIONS) {
      const committed = await committedOffsets(admin, `${group}-${f}`, topic);
      expect([...committed.values()].reduce((a, b) => a + b, 0)).toBe(messages.length);
    }
    const doc = createDocumentClient({ endpoint: dynamo.endpoint });
    const items = (await doc.send(new ScanCommand({ TableName: 'aggregates' }))).Items ?? [];
    doc.destroy();
    const dropoffTotal = items
      .filter((i) => i.pipeline === 'dropoff-count')
      .reduce((n, i) => n + (readNumber(i.count) ?? 0), 0);
    expect(dropoffTotal).toBe(messages.length);
  });

  it('with storeProcess, writes through the embedded store in a child process, which persists in the data dir', async () => {
    // Arrange
    const topic = unique('cli-store-process');
    await createTopic(admin, topic, 3);
    const messages = rideMessages();
    await produce(kafka, topic, messages);
    const dataDir = await mkdtemp(join(tmpdir(), 'esm-store-process-'));

    // Act
    const summaries = await runRun({
      brokers,
      functions: ['rides-count-by-dropoff'],
      topic,
      group: unique('cli-store-process'),
      untilCaughtUp: true,
      dataDir,
      storeProcess: true,
      onFailure: join(dataDir, 'failures.jsonl'),
      progressIntervalS: 0,
      output: captureOutput(),
    });

    // Assert: every ride counted, read back in this process from what the child wrote.
    expect(summaries.map((s) => s.recordsDelivered)).toEqual([messages.length]);
    const ctx = await openDynamo({ dataDir, forceEmbedded: true });
    try {
      const items = (await ctx.doc.send(new ScanCommand({ TableName: ctx.tables.aggregates }))).Items ?? [];
      const dropoffTotal = items
        .filter((i) => i.pipeline === 'dropoff-count')
        .reduce((n, i) => n + (readNumber(i.count) ?? 0), 0);
      expect(dropoffTotal).toBe(messages.length);
    } finally {
      await ctx.close();
    }
  });

  it('names the known functions when given an unknown one', async () => {
    await expect(
      runRun({
        brokers,
        functions: ['no-such-fn'],
        topic: 'x',
        endpoint: dynamo.endpoint,
        output: captureOutput(),
      }),
    ).rejects.toThrow(/unknown function "no-such-fn"; known: .*rides-count-by-dropoff/);
  });

  it('says which topic is missing instead of waiting for it', async () => {
    await expect(
      runRun({
        brokers,
        functions: ['rides-count-by-dropoff'],
        topic: unique('missing'),
        endpoint: dynamo.endpoint,
        output: captureOutput(),
      }),
    ).rejects.toThrow(/topic "missing-[0-9a-f]+" is not available/);
  });
});
