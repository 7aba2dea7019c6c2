import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { tableNamesFromEnv } from '../../../shared/engine/store/index.js';
import { type EmbeddedDynamo, ensureTables, startEmbeddedDynamo } from '../../../shared/local/index.js';
import { eventually, testKafka, unique } from '../esm/esmTestKit.js';
import {
  BATCH_SIZE,
  committedTotal,
  expectExactOutputs,
  FUNCTIONS,
  faultyRunner,
  killRunnerProcesses,
  prepareRides,
  type ScenarioEnv,
  SESSION_TIMEOUT_MS,
  startRunnerProcess,
} from './routeEnrichScenario.js';

/**
 * The route and enrich functions on the shared broker when the runner process is killed
 * with SIGKILL mid-stream (a Kafka send or a DynamoDB write cut wherever it was, nothing
 * committed on the way out) and its successor's DynamoDB writes and Kafka sends fail on
 * schedule, some after they landed. The broker restart is routeEnrichBrokerRestart's.
 */
describe('route and enrich on a real broker: a killed runner process, then failing DynamoDB writes', () => {
  let env: ScenarioEnv;
  let dynamo: EmbeddedDynamo;

  beforeAll(async () => {
    const brokers = inject('kafkaBrokers');
    const kafka = testKafka(brokers);
    const admin = kafka.admin();
    await admin.connect();
    dynamo = await startEmbeddedDynamo();
    const tables = tableNamesFromEnv();
    await ensureTables(dynamo.endpoint, tables);
    env = { kafka, admin, brokers, endpoint: dynamo.endpoint, tables };
  });
  afterAll(async () => {
    killRunnerProcesses();
    await env?.admin.disconnect();
    await dynamo?.close();
  });

  it('routes and enriches every ride at least once, copies byte-identical, borough counts exact', async () => {
    // Arrange
    const input = await prepareRides(env);
    const total = input.placed.length;
    const group = unique('crash');
    const enrichGroup = `${group}-rides-enrich-zones`;

    // Act 1: the runner process, killed once the enrich function has committed 60 rides.
    const child = await startRunnerProcess({
      brokers: env.brokers,
      endpoint: env.endpoint,
      topic: input.topic,
      group,
      functions: FUNCTIONS,
      batchSize: BATCH_SIZE,
      delayMs: 100,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
    });
    const exited = new Promise((r) => child.once('exit', (_code, signal) => r(signal)));
    await eventually(
      async () => (await committedTotal(env.admin, enrichGroup, input.topic)) >= 60,
      30_000,
      'the runner process to commit 60 rides',
    );
    child.kill('SIGKILL');
    const signal = await exited;
    const committedAtKill = await Promise.all(
      FUNCTIONS.map((f) => committedTotal(env.admin, `${group}-${f}`, input.topic)),
    );

    // Act 2: a successor in the same groups, its writes and sends failing on schedule.
    const runner = await faultyRunner(env, input, group, 20);
    for (const m of runner.mappings) await m.start();
    await Promise.all(runner.mappings.map((m) => m.waitUntilCaughtUp({ timeoutMs: 60_000 })));
    const summaries = await Promise.all(runner.mappings.map((m) => m.stop()));
    await runner.closeSinks();

    // Assert: the kill was mid-stream, the faults happened, nothing was given up on.
    expect(signal).toBe('SIGKILL');
    expect(committedAtKill[1]).toBeGreaterThanOrEqual(60);
    expect(committedAtKill.every((n) => n < total)).toBe(true);
    expect(runner.plans.map((p) => p.crashes > 0)).toEqual([true, true]);
    expect(summaries.map((s) => s.recordsDiscarded)).toEqual([0, 0]);
    for (const f of runner.onFailure) expect(await f.list()).toEqual([]);
    for (const f of FUNCTIONS)
      expect(await committedTotal(env.admin, `${group}-${f}`, input.topic)).toBe(total);

    // Assert: the outputs, against the reference.
    const duplicates = await expectExactOutputs(env, input);
    console.info(
      `SIGKILL at ${committedAtKill.join('/')} committed, ${runner.plans.map((p) => p.crashes).join('/')} failed invocations; ` +
        `copies beyond the first: ${JSON.stringify(duplicates)}`,
    );
  });
});
