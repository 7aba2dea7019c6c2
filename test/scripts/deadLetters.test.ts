import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDeadLetters } from '../../scripts/commands/deadLetters.js';
import { type InvokeResult, runInvoke } from '../../scripts/commands/invoke.js';
import { captureOutput } from '../../scripts/lib/output.js';
import { decodeEvent, type LambdaKafkaEvent } from '../../shared/engine/event/index.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const EVENT = 'events/rides-with-bad-records.json';
const records = decodeEvent(JSON.parse(readFileSync(EVENT, 'utf8')) as LambdaKafkaEvent).flat();

/** The bad records of the sample, found by content, with the code each must be rejected with. */
const bad = records.flatMap((r) => {
  const text = r.value?.toString('utf8');
  if (text === undefined) return [{ r, code: 'TOMBSTONE', field: 'value' }];
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    return typeof value.PULocationID === 'string' ? [{ r, code: 'SCHEMA', field: 'PULocationID' }] : [];
  } catch {
    return [{ r, code: 'NOT_JSON', field: 'value' }];
  }
});

describe('invoke then dead-letters', () => {
  let dir: string;
  let invoked: InvokeResult;
  let invokeErr: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cli-dl-'));
    const output = captureOutput();
    invoked = await runInvoke(
      { functionName: 'rides-tumbling-by-pickup', event: EVENT, dataDir: dir },
      output,
    );
    invokeErr = output.stderr;
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('invoke returns an empty partial batch response: bad records never fail the batch', () => {
    expect(bad.map((b) => b.code).sort()).toEqual(['NOT_JSON', 'SCHEMA', 'TOMBSTONE']);
    expect(invoked.response).toEqual({ batchItemFailures: [] });
    expect(invoked.pipelines.map((p) => [p.pipeline, p.stats.aggregated, p.stats.invalid])).toEqual([
      ['pickup-5m', records.length - 3, 3],
      ['tips-1h', records.length - 3, 3],
    ]);
    expect(invokeErr[0]).toBe(
      `rides-tumbling-by-pickup: ${records.length} records in 2 partition(s); 0 batch item failure(s)`,
    );
  });

  it('lists each bad record once per pipeline with its coordinates, code, field and reason', async () => {
    const output = captureOutput();

    await runDeadLetters({ json: true, dataDir: dir }, output);

    const lines = output.stdout.map((l) => JSON.parse(l) as Record<string, unknown>);
    const pick = (l: Record<string, unknown>) => [
      l.pipeline,
      l.kind,
      l.topic,
      l.partition,
      l.offset,
      l.code,
      l.field,
    ];
    const want = ['pickup-5m', 'tips-1h'].flatMap((pipeline) =>
      bad.map((b) => [pipeline, 'invalid', b.r.topic, b.r.partition, b.r.offset, b.code, b.field]),
    );
    expect(lines.map(pick).sort()).toEqual(want.sort());
    const reason = (code: string) => lines.find((l) => l.code === code)?.reason;
    expect(reason('TOMBSTONE')).toMatch(/tombstone/);
    expect(reason('NOT_JSON')).toMatch(/^not JSON: /);
    expect(reason('SCHEMA')).toMatch(/PULocationID/);
  });

  it('filters by pipeline and prints a readable table', async () => {
    const output = captureOutput();

    await runDeadLetters({ pipeline: 'tips-1h', dataDir: dir }, output);

    expect(output.stdout[0]).toMatch(
      /^pipeline\s+kind\s+topic\s+partition\s+offset\s+code\s+field\s+reason$/,
    );
    const body = output.stdout.slice(2, -1);
    expect(body).toHaveLength(3);
    expect(body.every((l) => /^tips-1h\s+invalid\s+rides\s/.test(l))).toBe(true);
    expect(output.stdout.at(-1)).toBe('3 dead letter(s): 3 invalid, 0 late');
  });

  it('says which pipelines exist when asked for an unknown one', async () => {
    const output = captureOutput();

    await runDeadLetters({ pipeline: 'tips-2h', dataDir: dir }, output);

    expect(output.stdout).toEqual([
      expect.stringMatching(/^no dead letters for "tips-2h" \(known pipelines: .*tips-1h/),
    ]);
  });
});
