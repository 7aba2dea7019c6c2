import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fileBatchSource } from '../../../scripts/lib/batchSource.js';
import { openDynamo } from '../../../scripts/lib/dynamoContext.js';
import { feedBatchesWithProgress, type ReplayTotals } from '../../../scripts/lib/feedBatches.js';
import { captureOutput } from '../../../scripts/lib/output.js';
import { ORDERS_DATA_COUNT } from '../../../shared/local/datagen/ordersData.js';
import { ORDERS_TOPIC, ordersByState } from '../../../shared/orders/index.js';
import { type CliRun, cli, ORDERS_FILE, readOrderLines, tablesIn } from '../../support/orders.js';

/**
 * The orders domain on a real broker, through the CLI as a user would run it: create
 * `orders` (3 partitions, kept forever: the orders are stamped in 2018), produce the file
 * keyed by orderid, and run `orders-by-state` through the local event-source mapping until
 * it has caught up. The tables must be the ones a replay of the same file leaves.
 */
describe('orders-by-state on a real broker', () => {
  const brokers = inject('kafkaBrokers');
  const dir = mkdtempSync(join(tmpdir(), 'orders-broker-'));
  const runDir = join(dir, 'run');
  const replayDir = join(dir, 'replay');
  const withBrokers = (args: string[]) => cli([...args, '--brokers', brokers]);
  let run: CliRun;
  let replayTotals: ReplayTotals;

  beforeAll(async () => {
    // The handler's pipelines read the topic `orders` by name: start from an empty one.
    withBrokers(['topics', 'delete', ORDERS_TOPIC]);
    let created: CliRun | undefined;
    for (let attempt = 0; attempt < 10; attempt++) {
      created = withBrokers(['topics', 'create', ORDERS_TOPIC, '--partitions', '3', '--retention-ms', '-1']);
      if (created.status === 0) break;
      await new Promise((r) => setTimeout(r, 1000)); // a just-deleted topic can take a moment to go
    }
    expect(created?.status, created?.stderr).toBe(0);
    const produced = withBrokers([
      'produce',
      '--topic',
      ORDERS_TOPIC,
      '--file',
      ORDERS_FILE,
      '--key-field',
      'orderid',
      '--timestamp-field',
      'ordertime',
      '--allow-malformed',
    ]);
    expect(produced.status, produced.stderr).toBe(0);
    run = withBrokers([
      'run',
      '--function',
      'orders-by-state',
      '--topic',
      ORDERS_TOPIC,
      '--until-caught-up',
      '--group',
      `orders-test-${randomUUID().slice(0, 8)}`,
      '--on-failure',
      'none',
      '--progress-interval-s',
      '0',
      '--data-dir',
      runDir,
    ]);

    // The replay path over the same file, in process (the file source `replay` reads).
    const ctx = await openDynamo({ forceEmbedded: true, dataDir: replayDir });
    try {
      const source = fileBatchSource({
        file: ORDERS_FILE,
        topic: ORDERS_TOPIC,
        partitions: 3,
        batchSize: 100,
        keyField: 'orderid',
        timestampField: 'ordertime',
      });
      replayTotals = await feedBatchesWithProgress(
        source,
        [ordersByState],
        ctx.stores,
        captureOutput(),
        readOrderLines().length,
      );
    } finally {
      await ctx.close();
    }
  }, 170_000);
  afterAll(() => {
    withBrokers(['topics', 'delete', ORDERS_TOPIC]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs orders-by-state until caught up without an error', () => {
    expect(run.status, run.stderr).toBe(0);
  });

  it('leaves the aggregate and dead-letter tables a replay of the file leaves', async () => {
    const fromBroker = await tablesIn(runDir);

    expect(fromBroker.aggregates.length).toBeGreaterThan(40);
    expect(fromBroker).toEqual(await tablesIn(replayDir));
  });

  it('accounts for every line of the file in each pipeline: aggregated + filtered + late + invalid', async () => {
    const { aggregates, deadLetters } = await tablesIn(runDir);
    const lines = readOrderLines().length;
    for (const t of replayTotals.pipelines) {
      expect(t.records).toBe(lines);
      expect(t.aggregated + t.filtered + t.late + t.invalid).toBe(lines);
      expect({ late: t.late, invalid: t.invalid }).toEqual({ late: 2, invalid: 3 });
      const stored = aggregates.filter((r) => r.pipeline === t.pipeline).reduce((n, r) => n + r.count, 0);
      expect(stored).toBe(t.aggregated);
      expect(deadLetters.filter((d) => d.pipeline === t.pipeline)).toHaveLength(5);
    }
    expect(replayTotals.pipelines.find((t) => t.pipeline === 'units-per-state-10m')?.aggregated).toBe(
      ORDERS_DATA_COUNT,
    );
  });
});
