import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ENRICHED_TOPIC,
  HIGH_AMOUNT_TOPIC,
  LOW_AMOUNT_TOPIC,
  rideEnrichmentHandlers,
} from '../../../shared/rides/index.js';
import { PipelineTestDriver, type TestRecord } from '../../../shared/testing/index.js';
import { dataPath, loadRideRows, rideJson } from '../../support/rides.js';

/**
 * The course's routing and enrichment, through the test driver: the bundled rides and the
 * taxi zones, checked against lookups and counts computed here from the CSV files.
 */

/** The zone file read independently of the project's loader: LocationID -> row. */
function zoneRows(): Map<string, { borough: string; zone: string; service_zone: string }> {
  const rows = parse(readFileSync(dataPath('taxi_zone_lookup.csv')), { columns: true }) as Array<
    Record<string, string>
  >;
  return new Map(
    rows.map((r) => [r.locationid!, { borough: r.borough!, zone: r.zone!, service_zone: r.service_zone! }]),
  );
}

function zoneRecords(): TestRecord[] {
  const rows = parse(readFileSync(dataPath('taxi_zone_lookup.csv')), { columns: true }) as Array<
    Record<string, string>
  >;
  return rows.map((r) => ({
    topic: 'zones',
    key: r.locationid!,
    value: {
      locationid: Number(r.locationid),
      borough: r.borough,
      zone: r.zone,
      service_zone: r.service_zone,
    },
  }));
}

function rideRecords(): TestRecord[] {
  return loadRideRows().map((row, i) => ({ topic: 'rides', value: rideJson(row), partition: i % 3 }));
}

describe('the rides routed by amount (Faust branch_price)', () => {
  let driver: PipelineTestDriver;
  beforeAll(async () => {
    driver = await PipelineTestDriver.start(
      rideEnrichmentHandlers.filter((h) => h.name === 'rides-route-by-amount'),
    );
  });
  afterAll(() => driver.close());

  it('sends the 29 rides of 40.0 or more to the high-amount topic and the 237 others to the low-amount topic', async () => {
    await driver.pipe(rideRecords());

    const rows = loadRideRows();
    const high = driver.outputs(HIGH_AMOUNT_TOPIC);
    const low = driver.outputs(LOW_AMOUNT_TOPIC);
    expect([high.length, low.length]).toEqual([29, 237]);
    expect(high.every((r) => (r.value as { total_amount: number }).total_amount >= 40)).toBe(true);
    expect(low.every((r) => (r.value as { total_amount: number }).total_amount < 40)).toBe(true);
    // The source bytes go out unchanged, with the source coordinates in a header.
    const first = high[0]!;
    const [, , partition, offset] = first.source!.split('/');
    expect(first.source).toMatch(/^rides-by-amount\/rides\/\d+\/\d+$/);
    const sourceIndex = rows.findIndex(
      (_, i) => i % 3 === Number(partition) && Math.floor(i / 3) === Number(offset),
    );
    expect(first.value).toEqual(JSON.parse(rideJson(rows[sourceIndex]!)));
  });
});

describe('the rides enriched with their zones', () => {
  let driver: PipelineTestDriver;
  beforeAll(async () => {
    driver = await PipelineTestDriver.start(
      rideEnrichmentHandlers.filter((h) => h.name !== 'rides-route-by-amount'),
    );
    await driver.pipe(zoneRecords());
    await driver.pipe(rideRecords());
  });
  afterAll(() => driver.close());

  it('materializes every zone of the lookup file', async () => {
    const rows = await driver.tableRows('zones');
    const expected = zoneRows();
    expect(rows).toHaveLength(expected.size);
    for (const r of rows) expect(r.value).toMatchObject(expected.get(r.key)!);
  });

  it('gives every ride the pickup and drop-off zone an independent lookup gives', () => {
    const zones = zoneRows();
    const out = driver.outputs(ENRICHED_TOPIC);
    expect(out).toHaveLength(loadRideRows().length);
    for (const r of out) {
      const v = r.value as { PULocationID: number; DOLocationID: number; pickup: unknown; dropoff: unknown };
      expect(v.pickup).toEqual(zones.get(String(v.PULocationID)) ?? null);
      expect(v.dropoff).toEqual(zones.get(String(v.DOLocationID)) ?? null);
    }
  });

  it('counts rides per pickup borough and 15-minute window as the CSV gives them, late rides apart', async () => {
    const zones = zoneRows();
    const WINDOW_MS = 15 * 60_000;
    const GRACE_MS = 60 * 60_000;
    const expected = new Map<string, number>();
    const late: number[] = [];
    // Stream time per partition (ride i went to partition i % 3): the largest pickup time so
    // far; a ride whose window ended at least the grace before it is late.
    const streamTime = [0, 0, 0];
    loadRideRows().forEach((row, i) => {
      const t = Date.parse(`${row.tpep_pickup_datetime!.replace(' ', 'T')}Z`);
      const p = i % 3;
      streamTime[p] = Math.max(streamTime[p]!, t);
      const start = t - (t % WINDOW_MS);
      if (start + WINDOW_MS + GRACE_MS <= streamTime[p]!) {
        late.push(i);
        return;
      }
      const id = `${zones.get(row.PULocationID!)!.borough}|${start}`;
      expected.set(id, (expected.get(id) ?? 0) + 1);
    });
    const actual = new Map(
      (await driver.rows('pickup-borough-15m')).map((r) => [`${r.key}|${r.windowStartMs}`, r.count]),
    );
    const letters = await driver.deadLetters('pickup-borough-15m');

    expect(actual).toEqual(expected);
    expect(letters.map((d) => `${d.code} ${d.partition}/${d.offset}`).sort()).toEqual(
      late.map((i) => `LATE ${i % 3}/${Math.floor(i / 3)}`).sort(),
    );
    expect(late.length).toBeGreaterThan(0); // the file does have late rides: the check is not empty
  });

  it('changes nothing when the rides are delivered again', async () => {
    const before = { rows: await driver.rows(), sent: driver.sink.sent.length };
    const again = await driver.pipeEvent(
      driver.eventOf(rideRecords().map((r, i) => ({ ...r, offset: Math.floor(i / 3) }))),
    );

    expect(await driver.rows()).toEqual(before.rows);
    expect(again.every((o) => o.stats.alreadyApplied === o.stats.records)).toBe(true);
    expect(driver.sink.sent.length).toBe(before.sent);
  });
});
