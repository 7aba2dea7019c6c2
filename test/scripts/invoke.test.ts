import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runEvents } from '../../scripts/commands/events.js';
import { readEventStream, runInvoke } from '../../scripts/commands/invoke.js';
import { captureOutput } from '../../scripts/lib/output.js';

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
