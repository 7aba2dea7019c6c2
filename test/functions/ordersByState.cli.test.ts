import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDERS_DATA_COUNT } from '../../shared/local/datagen/ordersData.js';
import { type CliRun, cli, jsonLines, ORDERS_FILE, tablesIn } from '../support/orders.js';

/** The flags that read data/orders.jsonl as Datagen writes it: keyed by orderid, stamped with ordertime. */
const SOURCE_FLAGS = ['--topic', 'orders', '--key-field', 'orderid', '--timestamp-field', 'ordertime'];
const PIPELINES = ['units-per-state-10m', 'large-orders-per-city-1h'];

/**
 * The orders domain through the CLI on the embedded store, two ways that must agree:
 * `replay` of the file, and `events` cut into Lambda events then `invoke orders-by-state`
 * on each, as Lambda would be invoked.
 */
describe('orders-by-state through the CLI (embedded store)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orders-cli-'));
  const replayDir = join(dir, 'replay');
  const invokeDir = join(dir, 'invoke');
  const eventsDir = join(dir, 'events');
  let invokes: CliRun[] = [];

  beforeAll(() => {
    const events = cli([
      'events',
      '--file',
      ORDERS_FILE,
      ...SOURCE_FLAGS,
      '--partitions',
      '3',
      '--out',
      eventsDir,
    ]);
    expect(events.status, events.stderr).toBe(0);
    invokes = readdirSync(eventsDir)
      .sort()
      .map((f) => cli(['invoke', 'orders-by-state', '--event', join(eventsDir, f), '--data-dir', invokeDir]));
  }, 600_000);
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('invoke runs the orders-by-state handler on every event of the file without a batch failure', async () => {
    for (const run of invokes) {
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ batchItemFailures: [] });
    }
    const { aggregates, deadLetters } = await tablesIn(invokeDir);
    for (const pipeline of PIPELINES) {
      expect(deadLetters.filter((d) => d.pipeline === pipeline && d.kind === 'invalid')).toHaveLength(3);
      expect(deadLetters.filter((d) => d.pipeline === pipeline && d.kind === 'late')).toHaveLength(2);
    }
    const perState = aggregates.filter((r) => r.pipeline === 'units-per-state-10m');
    expect(perState.reduce((n, r) => n + r.count, 0)).toBe(ORDERS_DATA_COUNT);
  });

  // Needs the CLI to read the catalog (STREAMS_CATALOG / --catalog): before that, replay,
  // query and dead-letters know only the ride pipelines.
  describe('replay, query and dead-letters (read the catalog)', () => {
    let replay: CliRun;
    beforeAll(() => {
      replay = cli([
        'replay',
        '--file',
        ORDERS_FILE,
        ...SOURCE_FLAGS,
        '--pipelines',
        'orders-by-state',
        '--fresh',
        '--data-dir',
        replayDir,
      ]);
    }, 300_000);

    it('replay feeds the file through orders-by-state', () => {
      expect(replay.status, replay.stderr).toBe(0);
    });

    it('leaves the same tables as invoking the handler on the events of the same file', async () => {
      expect(await tablesIn(replayDir)).toEqual(await tablesIn(invokeDir));
    });

    it('query --json prints every row of units-per-state-10m with its count and sum of units', async () => {
      const run = cli(['query', 'units-per-state-10m', '--json', '--data-dir', replayDir]);

      expect(run.status, run.stderr).toBe(0);
      const printed = jsonLines(run.stdout);
      const stored = (await tablesIn(replayDir)).aggregates.filter(
        (r) => r.pipeline === 'units-per-state-10m',
      );
      expect(printed).toHaveLength(stored.length);
      expect(printed.reduce((n, r) => n + Number(r.count), 0)).toBe(ORDERS_DATA_COUNT);
      for (const row of printed) {
        expect(row).toMatchObject({
          pipeline: 'units-per-state-10m',
          key: expect.stringMatching(/^State_\d$/),
        });
        expect(typeof row.sum_orderunits).toBe('number');
      }
    });

    it('dead-letters --json lists 3 invalid and 2 late records per pipeline', () => {
      const run = cli(['dead-letters', '--json', '--data-dir', replayDir]);

      expect(run.status, run.stderr).toBe(0);
      const letters = jsonLines(run.stdout);
      for (const pipeline of PIPELINES) {
        const mine = letters.filter((d) => d.pipeline === pipeline);
        expect(
          mine
            .filter((d) => d.kind === 'invalid')
            .map((d) => d.code)
            .sort(),
        ).toEqual(['NOT_JSON', 'SCHEMA', 'SCHEMA']);
        expect(mine.filter((d) => d.kind === 'late')).toHaveLength(2);
      }
    });
  });
});
