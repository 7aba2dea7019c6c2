import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runEvents } from '../../scripts/commands/events.js';
import { readEventStream, runInvoke } from '../../scripts/commands/invoke.js';
import { openDynamo } from '../../scripts/lib/dynamoContext.js';
import { captureOutput } from '../../scripts/lib/output.js';
import { kafkaHandler } from '../../shared/engine/handler/index.js';
import type { PipelineOutcome } from '../../shared/engine/process/index.js';
import { createLambdaContext } from '../../shared/local/eventSourceMapping/index.js';
import { rideHandler } from '../../shared/rides/index.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

describe('invoke --event -', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cli-invoke-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('invokes the handler once per event that events --out - wrote to stdin, in order', async () => {
    const made = captureOutput();
    const { events } = await runEvents({ file: 'data/rides.csv', batchSize: 100, out: '-' }, made);
    const output = captureOutput();

    const result = await runInvoke(
      {
        functionName: 'rides-count-by-dropoff',
        event: '-',
        stdin: Readable.from([`${made.stdout.join('\n')}\n`]),
        inMemory: true,
      },
      output,
    );

    expect(events).toHaveLength(3);
    expect(result.responses).toEqual(events.map(() => ({ batchItemFailures: [] })));
    expect(output.stdout).toEqual(events.map(() => '{"batchItemFailures":[]}'));
    expect(result.pipelines.map((p) => p.stats.aggregated)).toEqual([100, 100, 66]);
  });

  it('reads one pretty-printed event from stdin, as sam local invoke -e - does', async () => {
    const text = `${JSON.stringify(
      (await runEvents({ file: 'data/rides.csv', limit: 5, out: '-' }, captureOutput())).events[0],
      null,
      2,
    )}\n`;

    const [event, ...more] = await readEventStream(Readable.from([text]));

    expect(more).toEqual([]);
    expect(Object.values(event!.records).flat()).toHaveLength(5);
  });

  it('says how to pipe an event in when stdin is a terminal or empty', async () => {
    const tty = Object.assign(Readable.from([]), { isTTY: true });

    await expect(readEventStream(tty, 'rides-count-by-dropoff')).rejects.toThrow(
      /--event - reads the event from stdin; pipe one in: .*events --file data\/rides\.csv .*--out - \| npm run -s cli -- invoke rides-count-by-dropoff --event -/,
    );
    await expect(readEventStream(Readable.from(['\n']))).rejects.toThrow(/stdin is empty/);
  });

  it('names the stdin line that is not JSON', async () => {
    await expect(readEventStream(Readable.from(['{"records":{}}\n{oops\n']))).rejects.toThrow(
      /stdin line 2 is not JSON/,
    );
  });

  it('composes on the command line: events --out - | invoke <function> --event -', () => {
    const cli = 'npx tsx scripts/cli.ts';
    const run = spawnSync(
      'bash',
      [
        '-o',
        'pipefail',
        '-c',
        `${cli} events --file data/rides.csv --limit 10 --partitions 3 --out - | ${cli} invoke rides-tumbling-by-pickup --event - --data-dir ${join(dir, 'dynamo')}`,
      ],
      {
        env: { ...process.env, DYNAMODB_ENDPOINT: '', LOCAL_DATA_DIR: join(dir, 'dynamo') },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );

    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ batchItemFailures: [] });
    expect(run.stderr).toMatch(
      /rides-tumbling-by-pickup: 10 records in 3 partition\(s\); 0 batch item failure\(s\)/,
    );
  });
});

describe('invoke prints what the handler reported, not what it logged', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('kafkaHandler hands each applied event’s outcomes to onOutcomes and returns the same response', async () => {
    const { events } = await runEvents({ file: 'data/rides.csv', limit: 10, out: '-' }, captureOutput());
    const ctx = await openDynamo({ inMemory: true });
    try {
      const reported: PipelineOutcome[][] = [];
      const handler = kafkaHandler(rideHandler('rides-tumbling-by-pickup'), {
        stores: () => ctx.stores,
        onOutcomes: (o) => reported.push(o),
      });

      const response = await handler(
        events[0]!,
        createLambdaContext({ functionName: 'f' }, 'req-1', Date.now()),
      );

      expect(response).toEqual({ batchItemFailures: [] });
      expect(reported).toHaveLength(1);
      expect(reported[0]!.map((o) => [o.pipeline, o.stats.aggregated])).toEqual([
        ['pickup-5m', 10],
        ['tips-1h', 10],
      ]);
    } finally {
      await ctx.close();
    }
  });

  it('prints the per-pipeline counts from the outcomes when the logger prints nothing', async () => {
    const { events } = await runEvents({ file: 'data/rides.csv', limit: 10, out: '-' }, captureOutput());
    // Were the counts read from "batch applied" log lines, a silent logger would leave them out.
    vi.spyOn(Logger.prototype, 'info').mockImplementation(() => {});
    const output = captureOutput();

    const result = await runInvoke(
      {
        functionName: 'rides-tumbling-by-pickup',
        event: '-',
        stdin: Readable.from([`${JSON.stringify(events[0])}\n`]),
        inMemory: true,
      },
      output,
    );

    expect(result.pipelines.map((p) => [p.pipeline, p.stats.aggregated, p.items])).toEqual([
      ['pickup-5m', 10, expect.any(Number)],
      ['tips-1h', 10, expect.any(Number)],
    ]);
    const row = (name: string) =>
      output.stderr
        .find((l) => l.startsWith(name))
        ?.trim()
        .split(/\s+/);
    for (const p of result.pipelines) {
      expect(row(p.pipeline)).toEqual([
        p.pipeline,
        String(p.stats.aggregated),
        String(p.stats.filtered),
        String(p.stats.late),
        String(p.stats.invalid),
        String(p.stats.alreadyApplied),
        String(p.items),
        String(p.writes.itemWrites),
      ]);
    }
  });

  it('names the catalog’s functions when the name is unknown', async () => {
    await expect(
      runInvoke({ functionName: 'nope', event: 'x.json', inMemory: true }, captureOutput()),
    ).rejects.toThrow(/unknown function "nope"; known: .*rides-count-by-dropoff.*topic-admin/);
  });
});

describe('invoke of an Avro twin', () => {
  it('decodes the Avro sample event and applies what the JSON handler applies for the same rides', async () => {
    const invoke = async (functionName: string, file: string) =>
      runInvoke({ functionName, event: file, inMemory: true }, captureOutput());

    const json = await invoke('rides-tumbling-by-pickup', 'events/rides-msk.json');
    const avro = await invoke('rides-tumbling-by-pickup-avro', 'events/rides-avro-msk.json');

    expect(avro.response).toEqual({ batchItemFailures: [] });
    expect(avro.pipelines.map((p) => [p.pipeline, p.stats, p.items, p.deadLettersWritten])).toEqual(
      json.pipelines.map((p) => [`${p.pipeline}-avro`, p.stats, p.items, p.deadLettersWritten]),
    );
    expect(avro.pipelines.map((p) => p.stats.aggregated)).toEqual([10, 10]);
  });
});
