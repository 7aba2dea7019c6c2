import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDeadLetters } from '../../scripts/commands/deadLetters.js';
import { runQuery } from '../../scripts/commands/query.js';
import { runReplay } from '../../scripts/commands/replay.js';
import { type DynamoContext, openDynamo } from '../../scripts/lib/dynamoContext.js';
import { captureOutput } from '../../scripts/lib/output.js';
import { type ExpectedSession, expectedSessions, readCsv } from './support/independent.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const MIN = 60_000;
const rows = readCsv('data/rides.csv');

const pairs = expectedSessions(rows, (r) => `${Number(r.PULocationID)}|${Number(r.DOLocationID)}`, 5 * MIN);
const payments = expectedSessions(rows, (r) => String(Number(r.payment_type)), MIN);

async function queryJson(ctx: DynamoContext, pipeline: string, flags: Record<string, unknown> = {}) {
  const output = captureOutput();
  await runQuery({ pipeline, json: true, context: ctx, ...flags }, output);
  return output.stdout.map((line) => JSON.parse(line) as Record<string, unknown>);
}

const asExpected = (line: Record<string, unknown>): ExpectedSession => ({
  key: line.key as string,
  startMs: Date.parse(line.windowStart as string),
  endMs: Date.parse(line.windowEnd as string),
  count: line.count as number,
});

const byKeyThenStart = (a: ExpectedSession, b: ExpectedSession) =>
  a.key.localeCompare(b.key) || a.startMs - b.startMs;

describe('session pipelines of the rides, replayed and queried', () => {
  let ctx: DynamoContext;

  beforeAll(async () => {
    ctx = await openDynamo({ inMemory: true, forceEmbedded: true });
    await runReplay({ file: 'data/rides.csv', pipelines: ['rides-sessions'], context: ctx }, captureOutput());
  });
  afterAll(async () => {
    await ctx.close();
  });

  it.each([
    ['pair-sessions-5m', pairs],
    ['payment-sessions-60s', payments],
  ] as const)('%s holds the sessions of an independent model', async (pipeline, expected) => {
    const lines = await queryJson(ctx, pipeline);
    expect(lines.map(asExpected).sort(byKeyThenStart)).toEqual([...expected.sessions].sort(byKeyThenStart));
  });

  it('answers "which pair has the longest unbroken streak of trips" with --top --by count', async () => {
    const [top] = await queryJson(ctx, 'pair-sessions-5m', { top: 1, by: 'count' });
    const longest = Math.max(...pairs.sessions.map((s) => s.count));
    expect(top!.count).toBe(longest);
    expect(pairs.sessions.filter((s) => s.count === longest).map((s) => s.key)).toContain(top!.key);
    expect(top!.durationMs).toBe(
      Date.parse(top!.windowEnd as string) - Date.parse(top!.windowStart as string),
    );
  });

  it('ranks by duration with --by duration', async () => {
    const lines = await queryJson(ctx, 'pair-sessions-5m', { top: 3, by: 'duration' });
    const durations = pairs.sessions.map((s) => s.endMs - s.startMs).sort((a, b) => b - a);
    expect(lines.map((l) => l.durationMs)).toEqual(durations.slice(0, 3));
  });

  it('reads one key by time range with --key --from --to', async () => {
    const some = pairs.sessions.find((s) => s.count > 1)!;
    const lines = await queryJson(ctx, 'pair-sessions-5m', {
      key: some.key,
      fromMs: some.startMs,
      toMs: some.startMs + 1,
    });
    expect(lines.map(asExpected)).toEqual([some]);
  });

  it('counts every ride once: records = aggregated + late, late rides are dead letters', async () => {
    for (const [pipeline, expected] of [
      ['pair-sessions-5m', pairs],
      ['payment-sessions-60s', payments],
    ] as const) {
      const lines = await queryJson(ctx, pipeline);
      const aggregated = lines.reduce((n, l) => n + (l.count as number), 0);
      const output = captureOutput();
      await runDeadLetters({ pipeline, json: true, context: ctx }, output);
      const late = output.stdout
        .map((l) => JSON.parse(l) as { kind: string })
        .filter((d) => d.kind === 'late');
      expect(late.length).toBe(expected.late);
      expect(aggregated + late.length).toBe(rows.length);
    }
  });
});
