import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runProduce } from '../../../scripts/commands/produce.js';
import { runRun } from '../../../scripts/commands/run.js';
import { type DynamoContext, openDynamo } from '../../../scripts/lib/dynamoContext.js';
import { captureOutput } from '../../../scripts/lib/output.js';
import { scanPipelineRows } from '../../../scripts/lib/readResults.js';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../../shared/local/index.js';
import { mixedRidesCsv } from '../../scripts/support/mixedRides.js';
import { createTopic, RIDE_FUNCTIONS, unique, useBrokerFixture } from './esmTestKit.js';

/**
 * A file with bad lines through the real path: `produce --allow-malformed` to a broker, then
 * `run` (the local event-source mappings) over the ride handlers. Bad input never stops a
 * run: every line is produced, every good ride aggregated, every bad line dead-lettered.
 */
describe('produce --allow-malformed -> broker -> run', () => {
  const fixture = useBrokerFixture({ stores: false });
  const brokers = inject('kafkaBrokers');
  let dynamo: EmbeddedDynamo;
  let ctx: DynamoContext;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'esm-malformed-'));
    dynamo = await startEmbeddedDynamo();
    ctx = await openDynamo({ endpoint: dynamo.endpoint });
  });
  afterAll(async () => {
    await ctx?.close();
    await dynamo?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends every line, aggregates every good ride and dead-letters every bad line in every pipeline', async () => {
    // Arrange
    const mixed = mixedRidesCsv();
    const bad = mixed.malformed.length + mixed.schemaBad;
    const file = join(dir, 'mixed.csv');
    await writeFile(file, mixed.text);
    const topic = unique('malformed-rides');
    await createTopic(fixture.admin, topic, 3);
    const produceOutput = captureOutput();

    // Act
    const produced = await runProduce({
      brokers,
      topic,
      file,
      allowMalformed: true,
      timestampField: 'tpep_pickup_datetime',
      output: produceOutput,
    });
    const summaries = await runRun({
      brokers,
      functions: [...RIDE_FUNCTIONS],
      topic,
      group: unique('malformed'),
      untilCaughtUp: true,
      endpoint: dynamo.endpoint,
      onFailure: join(dir, 'failures.jsonl'),
      progressIntervalS: 0,
      output: captureOutput(),
    });

    // Assert: every non-blank line was produced and delivered to every mapping, none failed.
    expect(produced.records).toBe(mixed.good + bad);
    expect(produceOutput.stderr.join('\n')).toMatch(
      new RegExp(`${mixed.malformed.length} malformed line\\(s\\) sent as they are.*mixed\\.csv:\\d+: `),
    );
    expect(summaries.map((s) => [s.functionName, s.recordsDelivered, s.recordsDiscarded])).toEqual(
      RIDE_FUNCTIONS.map((f) => [f, mixed.good + bad, 0]),
    );
    const deadLetters = await ctx.stores.deadLetters.list();
    for (const pipeline of ['dropoff-count', 'pickup-5m', 'tips-1h', 'vendor-10m-hop-5m']) {
      const invalid = deadLetters.filter((d) => d.pipeline === pipeline && d.kind === 'invalid');
      expect([pipeline, invalid.length]).toEqual([pipeline, bad]);
      const values = invalid.map((d) => d.value);
      for (const line of mixed.malformed) expect(values).toContain(line);
    }
    // records in = aggregated + late + rejected, for the pipelines that count a record once.
    for (const pipeline of ['dropoff-count', 'pickup-5m', 'tips-1h']) {
      const counted = (await scanPipelineRows(ctx, pipeline)).reduce((n, r) => n + r.count, 0);
      const late = deadLetters.filter((d) => d.pipeline === pipeline && d.kind === 'late').length;
      expect([pipeline, counted + late + bad]).toEqual([pipeline, mixed.good + bad]);
    }
  });
});
