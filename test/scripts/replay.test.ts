import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
// @ts-expect-error dynalite ships no types
import dynalite from 'dynalite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runReplay } from '../../scripts/commands/replay.js';
import { type DynamoContext, openDynamo } from '../../scripts/lib/dynamoContext.js';
import { captureOutput } from '../../scripts/lib/output.js';
import { LocalSchemaDirectory } from '../../shared/engine/decode/avro/index.js';
import { type MixedRides, mixedRidesCsv, mixedRidesJsonl } from './support/mixedRides.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

/**
 * The ride aggregations that need nothing but the rides: what these tests check of the
 * windowed store. Route and enrich pipelines write topics (tested below and in
 * test/shared/engine/processors), and the borough counts need the zones loaded first.
 */
const AGGREGATIONS = ['pickup-5m', 'tips-1h', 'vendor-10m-hop-5m', 'dropoff-count'];

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
    const first = await runReplay(
      { file: 'data/rides.csv', context: ctx, pipelines: AGGREGATIONS },
      captureOutput(),
    );
    const before = await dumpAll(ctx);

    const second = await runReplay(
      { file: 'data/rides.csv', context: ctx, pipelines: AGGREGATIONS },
      captureOutput(),
    );
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

  it('replays a file as Avro (--value-format avro) through the Avro twin into the aggregates the JSON handler leaves', async () => {
    const fromJson = await runReplay(
      { file: 'data/rides.csv', context: ctx, pipelines: ['rides-tumbling-by-pickup'] },
      captureOutput(),
    );
    const json = await dump(ctx, ctx.tables.aggregates);

    const avro = await runReplay(
      {
        file: 'data/rides.csv',
        context: ctx,
        topic: 'rides-avro',
        valueFormat: 'avro',
        avro: { registrar: new LocalSchemaDirectory('data/schemas'), schemaId: 1 },
      },
      captureOutput(),
    );
    const both = await dump(ctx, ctx.tables.aggregates);
    const avroItems = both.filter((item) => item.includes('-avro'));

    // The same late rides are dead letters on both paths; no Avro record is.
    expect(avro.pipelines.map((p) => [p.pipeline, p.deadLettersWritten])).toEqual(
      fromJson.pipelines.map((p) => [`${p.pipeline}-avro`, p.deadLettersWritten]),
    );
    expect(json.length).toBeGreaterThan(10);
    expect(avroItems.map((item) => item.replaceAll('-avro', '')).sort()).toEqual(json);
  });

  it('leaves aggregates and dead letters unchanged when the redelivery has other batch boundaries', async () => {
    await runReplay(
      { file: 'data/rides.csv', context: ctx, batchSize: 100, pipelines: AGGREGATIONS },
      captureOutput(),
    );
    const before = await dumpAll(ctx);

    await runReplay(
      { file: 'data/rides.csv', context: ctx, batchSize: 7, pipelines: AGGREGATIONS },
      captureOutput(),
    );
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

describe('replay of a file with bad lines', () => {
  let ctx: DynamoContext;
  let dir: string;

  beforeEach(async () => {
    ctx = await openDynamo({ inMemory: true, forceEmbedded: true, nowMs: () => Date.UTC(2026, 0, 1) });
    dir = mkdtempSync(join(tmpdir(), 'cli-replay-bad-'));
  });
  afterEach(async () => {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe.each([
    ['CSV', 'mixed.csv', mixedRidesCsv()],
    ['JSON lines', 'mixed.jsonl', mixedRidesJsonl()],
  ] as Array<[string, string, MixedRides]>)('%s', (_format, name, mixed) => {
    it('aggregates every good row, dead-letters every bad line, and counts them: records = aggregated + late + rejected', async () => {
      const file = join(dir, name);
      writeFileSync(file, mixed.text);
      const bad = mixed.malformed.length + mixed.schemaBad;
      const output = captureOutput();

      const totals = await runReplay({ file, context: ctx, batchSize: 7, pipelines: AGGREGATIONS }, output);

      expect(totals.records).toBe(mixed.good + bad);
      expect(totals.input).toEqual({
        malformed: mixed.malformed.length,
        badTimestamps: mixed.badTimestamps,
        missingKeys: 0,
        blankLines: mixed.blankLines,
      });
      for (const p of totals.pipelines) {
        expect([p.pipeline, p.records, p.aggregated + p.late, p.invalid, p.filtered]).toEqual([
          p.pipeline,
          mixed.good + bad,
          mixed.good,
          bad,
          0,
        ]);
        const letters = await ctx.stores.deadLetters.list(p.pipeline);
        const invalid = letters.filter((d) => d.kind === 'invalid');
        expect(invalid).toHaveLength(bad);
        // The malformed lines' dead letters hold them as written; the rest failed the ride schema.
        const values = invalid.map((d) => d.value);
        for (const line of mixed.malformed) expect(values).toContain(line);
        expect(invalid.filter((d) => d.code === 'SCHEMA').length).toBeGreaterThanOrEqual(mixed.schemaBad);
      }
      expect(totals.pipelines.find((p) => p.pipeline === 'dropoff-count')?.aggregated).toBe(mixed.good);
      expect(output.stdout[0]).toBe(
        `${mixed.good + bad} records in ${totals.batches} batches (input: ${mixed.malformed.length} malformed lines delivered as they are, ` +
          `1 unreadable timestamp (previous record's used), ${mixed.blankLines} blank lines skipped)`,
      );
      const fileLine = new RegExp(`^input: .*${name.replace('.', '\\.')}:(\\d+): `);
      const reported = output.stderr.filter((l) => fileLine.test(l));
      expect(reported).toHaveLength(mixed.malformed.length + mixed.badTimestamps);
      const fileLines = mixed.text.split('\n');
      for (const l of reported) {
        const line = Number(fileLine.exec(l)![1]);
        const text = fileLines[line - 1]!;
        expect(mixed.malformed.includes(text) || text.includes('not a time'), l).toBe(true);
      }
    });

    it('changes nothing when the file is replayed again: bad lines get the same offsets and timestamps', async () => {
      const file = join(dir, name);
      writeFileSync(file, mixed.text);
      await runReplay({ file, context: ctx, pipelines: AGGREGATIONS }, captureOutput());
      const before = await dumpAll(ctx);

      const second = await runReplay(
        { file, context: ctx, batchSize: 5, pipelines: AGGREGATIONS },
        captureOutput(),
      );

      expect(await dumpAll(ctx)).toEqual(before);
      expect(second.pipelines.every((p) => p.itemWrites === 0 && p.deadLettersWritten === 0)).toBe(true);
    });
  });

  it('with --strict stops at the first malformed line, naming its file line', async () => {
    const file = join(dir, 'mixed.csv');
    const mixed = mixedRidesCsv();
    writeFileSync(file, mixed.text);
    const line = mixed.text.split('\n').indexOf(mixed.malformed[0]!) + 1;

    await expect(runReplay({ file, context: ctx, strict: true }, captureOutput())).rejects.toThrow(
      new RegExp(`mixed\\.csv:${line}: 10 fields, the header has 18 \\(--strict stops here`),
    );
  });

  it('says a CSV has no header row, naming the file and the header expected', async () => {
    const file = join(dir, 'noheader.csv');
    writeFileSync(file, mixedRidesCsv().text.split('\n').slice(1).join('\n'));

    await expect(runReplay({ file, context: ctx }, captureOutput())).rejects.toThrow(
      /noheader\.csv has no header row: line 1 .*expected a header such as: VendorID,tpep_pickup_datetime,/,
    );
  });

  it('says a binary file named .csv is not text, naming it', async () => {
    const file = join(dir, 'rides.csv');
    writeFileSync(file, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00]));

    await expect(runReplay({ file, context: ctx }, captureOutput())).rejects.toThrow(
      /rides\.csv is not a text file \(it starts with the zip header/,
    );
  });
});

describe('replay against a DynamoDB endpoint', () => {
  it('waits for new tables to become ACTIVE on a fresh dynalite (500 ms CREATING by default)', async () => {
    const server = dynalite(); // its defaults: createTableMs 500
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const totals = await runReplay(
        { file: 'data/rides.csv', endpoint, limit: 20, pipelines: AGGREGATIONS },
        captureOutput(),
      );

      expect(totals.records).toBe(20);
      expect(totals.pipelines.every((p) => p.aggregated + p.late === 20)).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  describe('of a route pipeline (no broker: one JSON-lines file per output topic)', () => {
    let outDir: string;
    let ctx: DynamoContext;
    beforeEach(async () => {
      outDir = mkdtempSync(join(tmpdir(), 'replay-topics-'));
      ctx = await openDynamo({ inMemory: true, forceEmbedded: true });
    });
    afterEach(async () => {
      await ctx.close();
      rmSync(outDir, { recursive: true, force: true });
    });

    const linesOf = (topic: string) =>
      readFileSync(join(outDir, `${topic}.jsonl`), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { key: string; value: string; headers: Record<string, string> });

    it('writes each ride to the high- or low-amount topic by total_amount >= 40, and a replay of a completed delivery sends nothing again', async () => {
      // Independent of the engine: the rides file has no quoted fields, a split is a parse.
      const [header, ...rides] = readFileSync('data/rides.csv', 'utf8').trim().split('\n');
      const amountAt = header!.split(',').indexOf('total_amount');
      const high = rides.filter((r) => Number(r.split(',')[amountAt]) >= 40).length;
      expect([high, rides.length - high]).toEqual([29, 237]);

      const first = await runReplay(
        { file: 'data/rides.csv', context: ctx, pipelines: ['rides-by-amount'], outDir },
        captureOutput(),
      );
      expect(first.pipelines.map((p) => [p.pipeline, p.records])).toEqual([['rides-by-amount', 266]]);
      expect([linesOf('rides_high_amount').length, linesOf('rides_low_amount').length]).toEqual([29, 237]);

      await runReplay(
        { file: 'data/rides.csv', context: ctx, pipelines: ['rides-by-amount'], outDir },
        captureOutput(),
      );
      // The first delivery completed (its checkpoint is written after the sends), so the
      // redelivery sends nothing; only a crash between send and checkpoint resends, with the
      // same kls-source coordinates (test/shared/engine/processors/routeTableEnrich.property.test.ts).
      for (const [topic, n] of [
        ['rides_high_amount', 29],
        ['rides_low_amount', 237],
      ] as const) {
        const sources = linesOf(topic).map((l) => l.headers['kls-source']);
        expect(sources).toHaveLength(n);
        expect(new Set(sources).size).toBe(n);
        expect(sources.every((s) => /^rides-by-amount\/rides\/\d+\/\d+$/.test(s ?? ''))).toBe(true);
      }
    });

    it('materializes a zones file with bad lines: good rows in the table, each bad line a dead letter with its coordinates', async () => {
      const file = join(outDir, 'zones.csv');
      writeFileSync(
        file,
        [
          'locationid,borough,zone,service_zone',
          '1,EWR,Newark Airport,EWR',
          ',Queens,No key,Boro Zone', // no key: a table row needs one
          '3,Bronx,"Allerton,Boro Zone', // a quote never closed: delivered as is, not JSON
          '4,Manhattan,Alphabet City,Yellow Zone',
          '1,EWR,Newark Liberty,EWR', // a later value for key 1 wins
        ].join('\n'),
      );
      const out = captureOutput();
      const totals = await runReplay(
        {
          file,
          topic: 'zones',
          keyField: 'locationid',
          context: ctx,
          pipelines: ['zones-table'],
          partitions: 1,
        },
        out,
      );

      expect(out.stderr.join('\n')).toMatch(/zones\.csv:3: key field "locationid" is missing or empty/);
      expect(out.stderr.join('\n')).toMatch(/zones\.csv:4: a quote opened on this line is not closed/);
      expect(totals.pipelines.map((p) => [p.pipeline, p.records, p.aggregated, p.invalid])).toEqual([
        ['zones', 5, 3, 2],
      ]);
      const rows = await ctx.stores.tables.list('zones');
      expect(rows.map((r) => [r.key, (r.value as { zone: string }).zone]).sort()).toEqual([
        ['1', 'Newark Liberty'],
        ['4', 'Alphabet City'],
      ]);
      const letters = await ctx.stores.deadLetters.list('zones');
      expect(letters.map((l) => [l.partition, l.offset, l.code]).sort()).toEqual([
        [0, 1, 'NO_KEY'],
        [0, 2, 'NOT_JSON'],
      ]);
    });
  });
});
