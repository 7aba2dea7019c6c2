import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runReplay } from '../../scripts/commands/replay.js';
import { type DynamoContext, openDynamo } from '../../scripts/lib/dynamoContext.js';
import { captureOutput } from '../../scripts/lib/output.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

/** Every item of a table, as JSON text, in key order: two dumps are equal iff the tables are. */
async function dump(ctx: DynamoContext, table: string): Promise<string[]> {
  const items: string[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await ctx.doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey }));
    for (const item of page.Items ?? []) items.push(JSON.stringify(item, Object.keys(item).sort()));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items.sort();
}

const dumpAll = async (ctx: DynamoContext) => ({
  aggregates: await dump(ctx, ctx.tables.aggregates),
  deadLetters: await dump(ctx, ctx.tables.deadLetters),
  state: await dump(ctx, ctx.tables.state),
});

describe('replay', () => {
  let ctx: DynamoContext;

  beforeEach(async () => {
    // A fixed clock: TTL attributes (expiresAt) are the only wall-clock values in the tables.
    ctx = await openDynamo({ inMemory: true, forceEmbedded: true, nowMs: () => Date.UTC(2026, 0, 1) });
  });
  afterEach(async () => {
    await ctx.close();
  });

  it('changes no table when the same file is replayed again (a redelivery)', async () => {
    const first = await runReplay({ file: 'data/rides.csv', context: ctx }, captureOutput());
    const before = await dumpAll(ctx);

    const second = await runReplay({ file: 'data/rides.csv', context: ctx }, captureOutput());
    const after = await dumpAll(ctx);

    expect(before.aggregates.length).toBeGreaterThan(0);
    expect(before.deadLetters.length).toBeGreaterThan(0);
    expect(after).toEqual(before);
    expect(first.pipelines.every((p) => p.itemWrites > 0 && p.redelivered === 0)).toBe(true);
    for (const p of second.pipelines) {
      expect([p.pipeline, p.itemWrites, p.deadLettersWritten, p.redelivered]).toEqual([
        p.pipeline,
        0,
        0,
        266,
      ]);
    }
  });

  it('leaves aggregates and dead letters unchanged when the redelivery has other batch boundaries', async () => {
    await runReplay({ file: 'data/rides.csv', context: ctx, batchSize: 100 }, captureOutput());
    const before = await dumpAll(ctx);

    await runReplay({ file: 'data/rides.csv', context: ctx, batchSize: 7 }, captureOutput());
    const after = await dumpAll(ctx);

    expect(after.aggregates).toEqual(before.aggregates);
    expect(after.deadLetters).toEqual(before.deadLetters);
  });

  it('writes fewer items than records: pre-aggregation makes one write per (key, window) per batch', async () => {
    const output = captureOutput();

    const totals = await runReplay({ file: 'data/rides.csv', context: ctx, pipelines: ['tips-1h'] }, output);

    const tips = totals.pipelines.find((p) => p.pipeline === 'tips-1h')!;
    expect(totals.pipelines.map((p) => p.pipeline)).toEqual(['tips-1h']);
    expect(tips.records).toBe(266);
    expect(tips.aggregated + tips.late + tips.invalid + tips.filtered).toBe(266);
    expect(tips.itemWrites).toBe(tips.items);
    expect(tips.itemWrites).toBeLessThan(tips.records / 10);
    expect(output.stdout.some((l) => /^tips-1h\s+266\s/.test(l))).toBe(true);
  });

  it('names the known pipelines when asked for an unknown one', async () => {
    await expect(
      runReplay({ file: 'data/rides.csv', context: ctx, pipelines: ['pickup-1m'] }, captureOutput()),
    ).rejects.toThrow(/unknown pipeline "pickup-1m"; known pipelines: dropoff-count, pickup-5m/);
  });

  it('says which line lacks the key field and how to choose another', async () => {
    await expect(
      runReplay({ file: 'data/rides.csv', context: ctx, keyField: 'zone' }, captureOutput()),
    ).rejects.toThrow(/rides\.csv:1: key field "zone" is missing.*--key-field.*--no-key/);
  });
});
