import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../scripts/commands/query.js';
import { runReplay } from '../../scripts/commands/replay.js';
import { type DynamoContext, openDynamo } from '../../scripts/lib/dynamoContext.js';
import { captureOutput } from '../../scripts/lib/output.js';
import { expectedTables, readCsv } from './support/independent.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const MIN = 60_000;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const expected = expectedTables(readCsv('data/rides.csv'), 3);

/** Runs `query --json` and parses its lines. */
async function queryJson(ctx: DynamoContext, pipeline: string, flags: Record<string, unknown> = {}) {
  const output = captureOutput();
  await runQuery({ pipeline, json: true, context: ctx, ...flags }, output);
  return output.stdout.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('query', () => {
  let ctx: DynamoContext;

  beforeAll(async () => {
    ctx = await openDynamo({ inMemory: true, forceEmbedded: true });
    await runReplay({ file: 'data/rides.csv', context: ctx }, captureOutput());
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('prints one JSON object per row with ISO-8601 UTC window times, sums as numbers and derived averages', async () => {
    const lines = await queryJson(ctx, 'tips-1h');

    expect(lines).toHaveLength(expected.tips1h.size);
    for (const line of lines) {
      expect(Object.keys(line)).toEqual([
        'pipeline',
        'key',
        'windowStart',
        'windowEnd',
        'count',
        'sum_tip_amount',
        'avg_tip_amount',
      ]);
      expect(line.pipeline).toBe('tips-1h');
      expect(line.windowStart).toMatch(ISO_UTC);
      expect(line.windowEnd).toMatch(ISO_UTC);
      expect(Date.parse(line.windowEnd as string) - Date.parse(line.windowStart as string)).toBe(60 * MIN);
      const want = expected.tips1h.get(Date.parse(line.windowStart as string))!;
      expect([line.count, Math.round((line.sum_tip_amount as number) * 100)]).toEqual([
        want.count,
        want.tipCents,
      ]);
      expect(line.avg_tip_amount).toBeCloseTo((line.sum_tip_amount as number) / (line.count as number), 12);
    }
  });

  it('prints null window times in the all-time mode', async () => {
    const lines = await queryJson(ctx, 'dropoff-count');

    expect(lines).toHaveLength(expected.dropoff.size);
    for (const line of lines) {
      expect(line).toEqual({
        pipeline: 'dropoff-count',
        key: expect.any(String),
        windowStart: null,
        windowEnd: null,
        count: expected.dropoff.get(line.key as string),
      });
    }
  });

  it('ranks the top N keys of one window, largest count first', async () => {
    const window = Date.UTC(2020, 6, 1, 0, 15);
    const inWindow = [...expected.pickup5m]
      .filter(([k]) => k.endsWith(`@${window}`))
      .map(([, count]) => count)
      .sort((a, b) => b - a);

    const lines = await queryJson(ctx, 'pickup-5m', { top: 3, windowMs: window });

    expect(lines.map((l) => l.count)).toEqual(inWindow.slice(0, 3));
    expect(new Set(lines.map((l) => l.windowStart))).toEqual(new Set([new Date(window).toISOString()]));
  });

  it('reads one key over windows starting in [from, to)', async () => {
    const from = Date.UTC(2020, 6, 1, 0, 0);
    const to = Date.UTC(2020, 6, 1, 0, 20);
    const want = [...expected.pickup5m]
      .map(([k, count]) => [...k.split('@').map(Number), count] as [number, number, number])
      .filter(([pu, start]) => pu === 137 && start >= from && start < to)
      .sort((a, b) => a[1] - b[1]);

    const lines = await queryJson(ctx, 'pickup-5m', { key: '137', fromMs: from, toMs: to });

    expect(want.length).toBeGreaterThan(1);
    expect(lines.map((l) => [Number(l.key), Date.parse(l.windowStart as string), l.count])).toEqual(want);
  });

  it('prints a readable table with zone names when not asked for JSON', async () => {
    const output = captureOutput();

    await runQuery({ pipeline: 'pickup-5m', key: '137', context: ctx }, output);

    expect(output.stdout[1]).toMatch(/^key\s+zone\s+window start \(UTC\)\s+window end \(UTC\)\s+count$/);
    expect(
      output.stdout.some((l) => /^137\s+Kips Bay\s+2020-07-01 00:15:00\s+2020-07-01 00:20:00\s+\d+$/.test(l)),
    ).toBe(true);
  });

  it.each([
    [{ top: 3 }, /--top ranks the keys of one window of pickup-5m: add --window/],
    [
      { top: 3, windowMs: Date.UTC(2020, 6, 1, 0, 17) },
      /not a window start of pickup-5m .*did you mean 2020-07-01 00:15:00\?/,
    ],
    [{ fromMs: 0 }, /--from\/--to select windows of one key: add --key/],
    [{ key: '1', top: 2 }, /use one or the other/],
  ])('explains a wrong combination of flags %o', async (flags, message) => {
    await expect(
      runQuery({ pipeline: 'pickup-5m', context: ctx, ...flags }, captureOutput()),
    ).rejects.toThrow(message);
  });
});
