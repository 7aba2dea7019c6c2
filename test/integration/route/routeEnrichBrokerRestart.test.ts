import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableNamesFromEnv } from '../../../shared/engine/store/index.js';
import { type EmbeddedDynamo, ensureTables, startEmbeddedDynamo } from '../../../shared/local/index.js';
import { ensureKafka, type KafkaForTests } from '../../support/kafkaBroker.js';
import { eventually, testKafka, unique } from '../esm/esmTestKit.js';
import {
  committedTotal,
  expectExactOutputs,
  FUNCTIONS,
  faultyRunner,
  prepareRides,
  type ScenarioEnv,
} from './routeEnrichScenario.js';

/**
 * The route and enrich functions when the broker restarts under the runner (its consumers
 * and the functions' producers lose every connection, the group coordinator reloads) while
 * their DynamoDB writes and Kafka sends fail on schedule. A broker of its own
 * (`ensureKafka({ dedicated: true })`): the shared one must not go away under other files.
 */
describe('route and enrich on a real broker: a broker restart under failing DynamoDB writes', () => {
  let broker: KafkaForTests;
  let admin: Admin;
  let env: ScenarioEnv;
  let dynamo: EmbeddedDynamo;

  beforeAll(async () => {
    broker = await ensureKafka({ dedicated: true });
    const kafka = testKafka(broker.brokers);
    admin = kafka.admin();
    await admin.connect();
    dynamo = await startEmbeddedDynamo();
    const tables = tableNamesFromEnv();
    await ensureTables(dynamo.endpoint, tables);
    env = { kafka, admin, brokers: broker.brokers.join(','), endpoint: dynamo.endpoint, tables };
  });
  afterAll(async () => {
    await admin?.disconnect();
    await dynamo?.close();
    await broker?.stop();
  });

  it('routes and enriches every ride at least once, copies byte-identical, borough counts exact', async () => {
    // Arrange: slowed functions, so the restart comes while records remain.
    const input = await prepareRides(env);
    const total = input.placed.length;
    const group = unique('restart');
    const runner = await faultyRunner(env, input, group, 100);
    for (const m of runner.mappings) await m.start();
    const enrich = runner.mappings[1]!;
    await eventually(
      () => enrich.stats().recordsDelivered >= 40,
      60_000,
      'the enrich function to get 40 rides',
    );

    // Act
    const deliveredAtRestart = runner.mappings.map((m) => m.stats().recordsDelivered);
    await broker.restart!();
    await Promise.all(runner.mappings.map((m) => m.waitUntilCaughtUp({ timeoutMs: 120_000 })));
    const summaries = await Promise.all(runner.mappings.map((m) => m.stop()));
    await runner.closeSinks();

    // Assert: the restart was mid-stream, the faults happened, nothing was given up on.
    expect(deliveredAtRestart.every((n) => n < total)).toBe(true);
    expect(runner.plans.map((p) => p.crashes > 0)).toEqual([true, true]);
    expect(summaries.map((s) => s.recordsDiscarded)).toEqual([0, 0]);
    for (const f of runner.onFailure) expect(await f.list()).toEqual([]);
    for (const f of FUNCTIONS) expect(await committedTotal(admin, `${group}-${f}`, input.topic)).toBe(total);

    // Assert: the outputs, against the reference.
    const duplicates = await expectExactOutputs(env, input);
    console.info(
      `broker restarted at ${deliveredAtRestart.join('/')} delivered, ${runner.plans.map((p) => p.crashes).join('/')} failed invocations; ` +
        `copies beyond the first: ${JSON.stringify(duplicates)}`,
    );
  });
});
