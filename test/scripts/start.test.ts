import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runStart, type StartResult } from '../../scripts/commands/start.js';
import { captureOutput } from '../../scripts/lib/output.js';
import {
  type CsvRow,
  expectedSessions,
  expectedTables,
  murmur2,
  readCsv,
  zoneNames,
} from './support/independent.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const rows = readCsv('data/rides.csv');
const zones = zoneNames('data/taxi_zone_lookup.csv');
const expected = expectedTables(rows, 3);
const MIN = 60_000;

/** Sorts [id, count] pairs by count, largest first, ties by id. */
const ranked = <T extends string | number>(entries: Iterable<[T, number]>) =>
  [...entries].sort((a, b) => b[1] - a[1] || Number(a[0]) - Number(b[0]));

describe('the independent model', () => {
  // Kafka's own UtilsTest vectors: the model's murmur2 is Kafka's, not a copy of ours.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('hashes %j as Kafka does', (key, hash) => {
    expect(murmur2(Buffer.from(key))).toBe(hash);
  });
});

describe('start', () => {
  let result: StartResult;
  let printed: string[];

  beforeAll(async () => {
    const output = captureOutput();
    result = await runStart({ inMemory: true }, output);
    printed = output.stdout;
  });

  it('reports the five busiest 5-minute pickup windows with their top 3 zones as the CSV gives them', () => {
    const byWindow = new Map<number, Array<[number, number]>>();
    for (const [k, count] of expected.pickup5m) {
      const [pu, start] = k.split('@').map(Number) as [number, number];
      byWindow.set(start, [...(byWindow.get(start) ?? []), [pu, count]]);
    }
    const windows = [...byWindow]
      .map(([start, zs]) => ({ start, rides: zs.reduce((n, [, c]) => n + c, 0), zs }))
      .sort((a, b) => b.rides - a.rides || a.start - b.start)
      .slice(0, 5);

    expect(
      result.summary.busiestPickupWindows.map((w) => ({
        start: w.windowStartMs,
        end: w.windowEndMs,
        rides: w.rides,
        top: w.top.map((z) => [z.locationId, z.count, z.zone]),
      })),
    ).toEqual(
      windows.map((w) => ({
        start: w.start,
        end: w.start + 5 * MIN,
        rides: w.rides,
        top: ranked(w.zs)
          .slice(0, 3)
          .map(([id, c]) => [id, c, zones.get(id)!.zone]),
      })),
    );
  });

  it('reports tips per hour as the CSV sums them, late rides excluded', () => {
    expect(
      result.summary.tipsPerHour.map((h) => [h.windowStartMs, h.rides, Math.round(Number(h.tips) * 100)]),
    ).toEqual(
      [...expected.tips1h].sort(([a], [b]) => a - b).map(([start, h]) => [start, h.count, h.tipCents]),
    );
    for (const h of result.summary.tipsPerHour) expect(h.avgTip).toBeCloseTo(Number(h.tips) / h.rides, 9);
  });

  it('reports rides per vendor in every hopping window', () => {
    const windows = new Map<number, Record<string, number>>();
    for (const [k, count] of expected.vendorHop) {
      const [vendor, start] = k.split('@') as [string, string];
      windows.set(Number(start), { ...windows.get(Number(start)), [vendor]: count });
    }
    expect(result.summary.vendorWindows.map((w) => [w.windowStartMs, w.windowEndMs, w.byVendor])).toEqual(
      [...windows].sort(([a], [b]) => a - b).map(([start, byVendor]) => [start, start + 10 * MIN, byVendor]),
    );
  });

  it('reports the ten all-time top drop-off zones', () => {
    expect(result.summary.topDropoffZones.map((z) => [z.locationId, z.count])).toEqual(
      ranked(expected.dropoff)
        .slice(0, 10)
        .map(([id, c]) => [Number(id), c]),
    );
  });

  it('sends the final result of every 15-minute tips window all three partitions passed, once', () => {
    // The replay is one pass without crashes: no copies, so the count is exact.
    expect(expected.tips15mFinal.size).toBeGreaterThan(0);
    expect(printed).toContainEqual(
      expect.stringContaining(`tips-15m-final: ${expected.tips15mFinal.size} record(s)`),
    );
  });

  it('reports per pipeline the rows, counts and late records the tables hold', () => {
    const sum = (m: Map<unknown, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    expect(result.summary.pipelines.map((p) => [p.pipeline, p.rows, p.counted, p.late, p.rejected])).toEqual([
      ['pickup-5m', expected.pickup5m.size, sum(expected.pickup5m), expected.late['pickup-5m'], 0],
      [
        'tips-1h',
        expected.tips1h.size,
        [...expected.tips1h.values()].reduce((n, h) => n + h.count, 0),
        expected.late['tips-1h'],
        0,
      ],
      [
        'vendor-10m-hop-5m',
        expected.vendorHop.size,
        sum(expected.vendorHop),
        expected.late['vendor-10m-hop-5m'],
        0,
      ],
      ['dropoff-count', expected.dropoff.size, rows.length, 0, 0],
      [
        'tips-15m',
        expected.tips15m.size,
        [...expected.tips15m.values()].reduce((n, q) => n + q.count, 0),
        expected.late['tips-15m'],
        0,
      ],
      // Its exact counts per borough are checked against an independent lookup in
      // test/shared/rides/rideEnrichment.test.ts; here: every ride is counted or late, none
      // rejected, so every pickup zone was found in the zones start loaded first.
      [
        'pickup-borough-15m',
        expect.any(Number),
        rows.length - expected.late['pickup-5m'],
        expected.late['pickup-5m'],
        0,
      ],
      ...(
        [
          ['payment-sessions-60s', (r: CsvRow) => String(Number(r.payment_type)), 60_000],
          ['pair-sessions-5m', (r: CsvRow) => `${Number(r.PULocationID)}|${Number(r.DOLocationID)}`, 300_000],
        ] as const
      ).map(([name, keyOf, gapMs]) => {
        const model = expectedSessions(rows, keyOf, gapMs);
        return [name, model.sessions.length, rows.length - model.late, model.late, 0];
      }),
    ]);
    // The data has out-of-order rides hours before the rest: lateness must actually be exercised.
    expect(expected.late['pickup-5m']).toBeGreaterThan(0);
  });

  it('prints the busiest window and the top drop-off zone in readable lines', () => {
    const busiest = result.summary.busiestPickupWindows[0]!;
    const top = ranked(expected.dropoff)[0]!;
    expect(printed).toContain(
      `${new Date(busiest.windowStartMs).toISOString().slice(0, 16).replace('T', ' ')}-${new Date(busiest.windowEndMs).toISOString().slice(11, 16)} UTC: ${busiest.rides} rides`,
    );
    expect(
      printed.some((l) => new RegExp(`^\\s*1\\s+${top[1]}\\s+${zones.get(Number(top[0]))!.zone}\\s`).test(l)),
    ).toBe(true);
  });

  it('shows the longest unbroken streak of trips per (pickup, drop-off) pair, as the model finds it', () => {
    const model = expectedSessions(
      rows,
      (r) => `${Number(r.PULocationID)}|${Number(r.DOLocationID)}`,
      300_000,
    );
    const longest = Math.max(...model.sessions.map((s) => s.count));
    const streaks = result.summary.longestSessions.find((t) => t.pipeline === 'pair-sessions-5m')!;
    expect(streaks.byCount[0]!.count).toBe(longest);
    expect(model.sessions.filter((s) => s.count === longest).map((s) => s.key)).toContain(
      streaks.byCount[0]!.key,
    );
    expect(printed).toContain('Longest sessions by records (pair-sessions-5m, gap 300 s)');
    expect(printed.some((l) => l.trimStart().startsWith(`${streaks.byCount[0]!.key} `))).toBe(true);
  });
});

describe('npm start (spawned)', () => {
  it('replays the bundled rides into a fresh store under LOCAL_DATA_DIR and prints the summaries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-start-'));
    try {
      const run = spawnSync('npx', ['tsx', 'scripts/cli.ts', 'start'], {
        // KAFKA_BROKERS empty: the embedded path, even when the integration tests' broker is exported.
        env: {
          ...process.env,
          LOCAL_DATA_DIR: join(dir, 'dynamo'),
          DYNAMODB_ENDPOINT: '',
          KAFKA_BROKERS: '',
        },
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(run.stderr).not.toMatch(/^error:/m);
      expect(run.status, run.stderr).toBe(0);
      const lines = run.stdout.split('\n');
      expect(lines).toContain(`${rows.length} records in 3 batches`);
      const top = ranked(expected.dropoff)[0]!;
      expect(
        lines.some((l) => new RegExp(`^\\s*1\\s+${top[1]}\\s+${zones.get(Number(top[0]))!.zone}\\s`).test(l)),
      ).toBe(true);
      const pickupLine = lines.find((l) => /^pickup-5m\s+tumbling/.test(l));
      expect(pickupLine?.split(/\s{2,}/).slice(2)).toEqual(
        [
          expected.pickup5m.size,
          [...expected.pickup5m.values()].reduce((a, b) => a + b, 0),
          expected.late['pickup-5m'],
          0,
        ].map(String),
      );
      expect(run.stdout).toContain(`Data kept in ${join(dir, 'dynamo')}`);
      // The last hint points at the results page.
      expect(run.stdout.trimEnd().split('\n').at(-1)).toContain('npm run -s cli -- serve');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
