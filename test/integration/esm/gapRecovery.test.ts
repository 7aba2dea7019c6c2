import { describe, expect, inject, it } from 'vitest';
import { runGaps, runRecover } from '../../../scripts/commands/recover.js';
import type { DynamoContext } from '../../../scripts/lib/dynamoContext.js';
import { captureOutput } from '../../../scripts/lib/output.js';
import { kafkaHandler } from '../../../shared/engine/handler/index.js';
import { createPipelineStores } from '../../../shared/engine/store/dynamo/index.js';
import type { PipelineTestDriver } from '../../../shared/testing/index.js';
import { InvocationFaultPlan } from '../../support/deliveryFaults.js';
import {
  createTopic,
  FIXED_NOW_MS,
  produce,
  quietDeps,
  readTopic,
  rideMessages,
  rideSpecOn,
  tableContents,
  testMapping,
  unique,
  useBrokerFixture,
} from './esmTestKit.js';

const MAX_RETRIES = 2;
/** The third invocation and its retries fail: a store outage longer than the mapping's retries. */
const FIRST_FAILING = 2;

/** Table contents without the offset marks (`hw:`, `gap:`): recovery moves gap marks, a replay high-water marks. */
function withoutMarks(items: Record<string, unknown>[]) {
  return items.map((item) =>
    Object.fromEntries(Object.entries(item).filter(([k]) => !k.startsWith('hw:') && !k.startsWith('gap:'))),
  );
}

describe('local event-source mapping: a batch given up on after a store outage', () => {
  const fixture = useBrokerFixture();

  /**
   * The rides on one partition; an all-time count (no lateness, so a single pass is the
   * exact reference). Invocations FIRST_FAILING..+MAX_RETRIES each land one write and then
   * fail, so the mapping gives up on that batch after partial writes and moves on.
   */
  async function giveUpOnABatch() {
    const { kafka, admin, sides } = fixture;
    const topic = unique('gaps');
    await createTopic(admin, topic, 1);
    await produce(kafka, topic, rideMessages());
    const spec = rideSpecOn('rides-count-by-dropoff', topic);
    const plan = new InvocationFaultPlan((i) =>
      i >= FIRST_FAILING && i <= FIRST_FAILING + MAX_RETRIES
        ? { crashAfter: 1, landsOnCrash: true }
        : { crashAfter: Number.POSITIVE_INFINITY, landsOnCrash: false },
    );
    const stores = createPipelineStores(plan.client(sides.runner.doc), sides.runner.tables, {
      nowMs: () => FIXED_NOW_MS,
    });
    const handler = plan.around(kafkaHandler(spec, { stores: () => stores, ...quietDeps('gaps') }));
    const { esm, onFailure } = await testMapping({
      kafka,
      handler,
      includeRecordsOnFailure: true,
      settings: {
        functionName: 'rides-count-by-dropoff',
        topic,
        consumerGroupId: unique('gaps'),
        batchSize: 50,
        maximumRetryAttempts: MAX_RETRIES,
      },
    });
    const records = await readTopic(kafka, topic, 266);
    await sides.replayRecords(records, ['rides-count-by-dropoff']);
    await esm.start();
    await esm.waitUntilCaughtUp({ timeoutMs: 60_000 });
    const summary = await esm.stop();
    return { topic, spec, plan, onFailure, summary, replayed: await tableContents(sides.replay) };
  }

  it('is written to the on-failure file, listed as a gap, and `recover` makes the tables equal a single pass', async () => {
    const { sides } = fixture;
    // Arrange + Act 1: run the mapping through the outage.
    const { topic, spec, plan, onFailure, summary, replayed } = await giveUpOnABatch();

    // Assert 1: one batch given up on, after partial writes; the tables are short of it.
    const failures = await onFailure.list();
    expect(failures).toHaveLength(1);
    expect(failures[0]?.payload).toBeDefined();
    expect(summary.recordsDiscarded).toBeGreaterThan(0);
    expect(plan.crashes).toBe(MAX_RETRIES + 1);
    const info = Object.values(failures[0]!.KafkaBatchInfo.recordsInfo)[0]!;
    const gaps = captureOutput();
    await runGaps({ json: true, context: contextOf(sides.runner) }, gaps);
    expect(gaps.stdout.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({
        pipeline: 'dropoff-count',
        partition: `${topic}-0`,
        startOffset: Number(info.firstRecordOffset),
        endOffset: Number(info.lastRecordOffset) + 1,
        open: true,
      }),
    ]);
    expect(withoutMarks((await tableContents(sides.runner)).aggregates)).not.toEqual(
      withoutMarks(replayed.aggregates),
    );

    // Act 2: recover from the runner's on-failure file, twice.
    const catalog = { handlers: [spec] };
    const first = await runRecover(
      { from: onFailure.path, catalog, context: contextOf(sides.runner) },
      captureOutput(),
    );
    const second = await runRecover(
      { from: onFailure.path, catalog, context: contextOf(sides.runner) },
      captureOutput(),
    );

    // Assert 2: the gap is closed and the tables equal the single pass.
    expect(first.map((r) => r.outcome)).toEqual(['closed']);
    expect(second).toEqual([]);
    const runner = await tableContents(sides.runner);
    expect(withoutMarks(runner.aggregates)).toEqual(withoutMarks(replayed.aggregates));
    expect(runner.deadLetters).toEqual(replayed.deadLetters);
  });

  it('`recover --from-topic` reads the gap from Kafka while it is retained: the tables equal a single pass', async () => {
    const { sides } = fixture;
    const { spec, replayed } = await giveUpOnABatch();
    const catalog = { handlers: [spec] };

    const results = await runRecover(
      { fromTopic: true, brokers: inject('kafkaBrokers'), catalog, context: contextOf(sides.runner) },
      captureOutput(),
    );

    expect(results.map((r) => [r.outcome, r.records > 0])).toEqual([['closed', true]]);
    const runner = await tableContents(sides.runner);
    expect(withoutMarks(runner.aggregates)).toEqual(withoutMarks(replayed.aggregates));
    expect(runner.deadLetters).toEqual(replayed.deadLetters);
  });

  it('`recover --from-topic` fails with RECORDS_NOT_RETAINED naming the partition and offsets once Kafka dropped them, and leaves the gap open', async () => {
    const { sides, admin } = fixture;
    const { topic, spec, onFailure } = await giveUpOnABatch();
    const info = Object.values((await onFailure.list())[0]!.KafkaBatchInfo.recordsInfo)[0]!;
    const first = Number(info.firstRecordOffset);
    const last = Number(info.lastRecordOffset);
    // Retention (here DeleteRecords) moved the partition's start past the gap's first offset.
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: String(first + 1) }] });

    const failure = await runRecover(
      {
        fromTopic: true,
        brokers: inject('kafkaBrokers'),
        catalog: { handlers: [spec] },
        context: contextOf(sides.runner),
      },
      captureOutput(),
    ).catch((e: unknown) => e);

    expect(failure).toMatchObject({
      name: 'RecoveryError',
      code: 'RECORDS_NOT_RETAINED',
      message: expect.stringContaining(`${topic}-0: offsets ${first}..${last} are no longer retained`),
    });
    const gaps = captureOutput();
    await runGaps({ json: true, context: contextOf(sides.runner) }, gaps);
    expect(gaps.stdout.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ partition: `${topic}-0`, startOffset: first, open: true }),
    ]);
  });
});

/** A CLI context over a test driver's tables (closing it leaves the driver open). */
function contextOf(driver: PipelineTestDriver): DynamoContext {
  return {
    endpoint: '',
    embedded: true,
    storePid: undefined,
    doc: driver.doc,
    tables: driver.tables,
    stores: driver.stores,
    close: async () => {},
  };
}
