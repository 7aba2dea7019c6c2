import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  largeOrdersPerCity1h,
  type Order,
  ordersByState,
  unitsPerState10m,
} from '../../../shared/orders/index.js';
import { PipelineTestDriver, type TestRecord } from '../../../shared/testing/index.js';
import { readOrderLines } from '../../support/orders.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2018, 1, 20); // 2018-02-20T00:00:00Z, a multiple of an hour

/** A Datagen-shaped order at `ordertime`. */
function order(orderid: number, ordertime: number, state: string, city: string, orderunits: number): Order {
  return {
    ordertime,
    orderid,
    itemid: `Item_${orderid}`,
    orderunits,
    address: { city, state, zipcode: 10_000 + orderid },
  };
}

/** A record whose Kafka timestamp is its order time, keyed by orderid as Datagen keys it. */
const rec = (o: Order, partition = 0): TestRecord => ({
  key: String(o.orderid),
  value: o,
  timestampMs: o.ordertime,
  partition,
});

/**
 * What each pipeline should hold, computed here from the specs' stated rules without the
 * engine's window helpers: per partition, stream time is the largest order time seen so
 * far; an order belongs to [t - t % size, ... + size); it is late when that window's end
 * <= stream time - grace (Kafka Streams' rule). Units are summed in hundredths.
 */
function expected(
  records: readonly { partition: number; line: string }[],
  rules: { sizeMs: number; graceMs: number; key: (o: Order) => string; keep: (o: Order) => boolean },
) {
  const streamTime = new Map<number, number>();
  const rows = new Map<string, { key: string; start: number; count: number; hundredths: number }>();
  const tally = { records: 0, aggregated: 0, filtered: 0, late: 0, invalid: 0 };
  for (const { partition, line } of records) {
    tally.records++;
    let o: Order;
    try {
      o = JSON.parse(line) as Order;
    } catch {
      tally.invalid++;
      continue;
    }
    const valid =
      typeof o.ordertime === 'number' &&
      typeof o.orderunits === 'number' &&
      typeof o.address?.state === 'string' &&
      typeof o.address?.city === 'string';
    if (!valid) {
      tally.invalid++;
      continue;
    }
    if (!rules.keep(o)) {
      tally.filtered++;
      continue;
    }
    const seen = Math.max(streamTime.get(partition) ?? -Infinity, o.ordertime);
    streamTime.set(partition, seen);
    const start = o.ordertime - (o.ordertime % rules.sizeMs);
    if (start + rules.sizeMs <= seen - rules.graceMs) {
      tally.late++;
      continue;
    }
    tally.aggregated++;
    const id = `${rules.key(o)}#${start}`;
    const row = rows.get(id) ?? { key: rules.key(o), start, count: 0, hundredths: 0 };
    row.count++;
    row.hundredths += Math.round(o.orderunits * 100);
    rows.set(id, row);
  }
  return {
    tally,
    rows: [...rows.values()]
      .map((r) => ({
        key: r.key,
        windowStartMs: r.start,
        windowEndMs: r.start + rules.sizeMs,
        count: r.count,
        sum: (r.hundredths / 100).toString(),
      }))
      .sort(
        (a, b) =>
          a.key.localeCompare(b.key, undefined, { numeric: true }) || a.windowStartMs - b.windowStartMs,
      ),
  };
}

const perState = {
  sizeMs: 10 * MINUTE,
  graceMs: 5 * MINUTE,
  key: (o: Order) => o.address.state,
  keep: () => true,
};
const largePerCity = {
  sizeMs: 60 * MINUTE,
  graceMs: 10 * MINUTE,
  key: (o: Order) => o.address.city,
  keep: (o: Order) => o.orderunits >= 5,
};

/** The rows of a pipeline in the shape {@link expected} gives. */
async function rowsOf(driver: PipelineTestDriver, pipeline: string) {
  return (await driver.rows(pipeline)).map((r) => ({
    key: r.key,
    windowStartMs: r.windowStartMs,
    windowEndMs: r.windowEndMs,
    count: r.count,
    sum: r.aggregates.sum_orderunits,
  }));
}

describe('orders-by-state pipelines (PipelineTestDriver)', () => {
  let driver: PipelineTestDriver;
  beforeAll(async () => {
    driver = await PipelineTestDriver.start(ordersByState);
  });
  afterAll(async () => {
    await driver.close();
  });

  describe('a hand-written batch with explicit timestamps', () => {
    // Arrange: one partition; times in minutes after T0.
    const at = (m: number) => T0 + m * MINUTE;
    const orders = [
      order(1, at(1), 'State_1', 'City_11', 2.5), // [0,10) State_1; filtered for large orders
      order(2, at(9), 'State_1', 'City_11', 5), // [0,10) State_1; large [0,60) City_11
      order(3, at(12), 'State_2', 'City_11', 7.25), // [10,20) State_2; large [0,60) City_11
      order(4, at(14), 'State_1', 'City_12', 0.1), // [10,20) State_1; filtered
      order(5, at(70), 'State_1', 'City_12', 9.99), // [70,80) State_1; large [60,120) City_12
      order(6, at(3), 'State_2', 'City_12', 6), // stream time 70: [0,10) closed at 15; [0,60) closed at 70
      order(7, at(62), 'State_2', 'City_12', 4.99), // [60,70) still open (70 + 5 > 70); filtered
    ];
    const records = [
      ...orders.slice(0, 5).map((o) => rec(o)),
      { key: '99', value: '{"ordertime": 1519084800000, "orderid": 99', timestampMs: at(70) },
      { key: '98', value: { ...orders[0]!, orderid: 98, address: { city: 'City_11' } }, timestampMs: at(70) },
      ...orders.slice(5).map((o) => rec(o)),
    ];
    let outcomes: Awaited<ReturnType<PipelineTestDriver['pipe']>>;
    beforeAll(async () => {
      outcomes = await driver.pipe(records);
    });

    it('sums units per state and 10-minute window, and keeps the late order out', async () => {
      expect(await rowsOf(driver, unitsPerState10m.name)).toEqual([
        { key: 'State_1', windowStartMs: at(0), windowEndMs: at(10), count: 2, sum: '7.5' },
        { key: 'State_1', windowStartMs: at(10), windowEndMs: at(20), count: 1, sum: '0.1' },
        { key: 'State_1', windowStartMs: at(70), windowEndMs: at(80), count: 1, sum: '9.99' },
        { key: 'State_2', windowStartMs: at(10), windowEndMs: at(20), count: 1, sum: '7.25' },
        { key: 'State_2', windowStartMs: at(60), windowEndMs: at(70), count: 1, sum: '4.99' },
      ]);
    });

    it('counts only orders of 5 units or more per city and hour', async () => {
      expect(await rowsOf(driver, largeOrdersPerCity1h.name)).toEqual([
        { key: 'City_11', windowStartMs: at(0), windowEndMs: at(60), count: 2, sum: '12.25' },
        { key: 'City_12', windowStartMs: at(60), windowEndMs: at(120), count: 1, sum: '9.99' },
      ]);
    });

    it('dead-letters the malformed orders for both pipelines and the late one with its closed window', async () => {
      const letters = (await driver.deadLetters()).map((d) => ({
        pipeline: d.pipeline,
        kind: d.kind,
        code: d.code,
        key: d.key,
        ...(d.kind === 'late' ? { windowStartMs: d.windowStartMs, streamTimeMs: d.streamTimeMs } : {}),
      }));
      expect(letters).toHaveLength(6);
      expect(letters).toEqual(
        expect.arrayContaining([
          { pipeline: 'units-per-state-10m', kind: 'invalid', code: 'NOT_JSON', key: '99' },
          { pipeline: 'units-per-state-10m', kind: 'invalid', code: 'SCHEMA', key: '98' },
          { pipeline: 'large-orders-per-city-1h', kind: 'invalid', code: 'NOT_JSON', key: '99' },
          { pipeline: 'large-orders-per-city-1h', kind: 'invalid', code: 'SCHEMA', key: '98' },
          {
            pipeline: 'units-per-state-10m',
            kind: 'late',
            code: 'LATE',
            key: '6',
            windowStartMs: at(0),
            streamTimeMs: at(70),
          },
          {
            pipeline: 'large-orders-per-city-1h',
            kind: 'late',
            code: 'LATE',
            key: '6',
            windowStartMs: at(0),
            streamTimeMs: at(70),
          },
        ]),
      );
    });

    it('accounts for every record: in = aggregated + filtered + late + invalid', () => {
      const byName = new Map(outcomes.map((o) => [o.pipeline, o.stats]));
      expect(byName.get(unitsPerState10m.name)).toMatchObject({
        records: 9,
        aggregated: 6,
        filtered: 0,
        late: 1,
        invalid: 2,
      });
      expect(byName.get(largeOrdersPerCity1h.name)).toMatchObject({
        records: 9,
        aggregated: 3,
        filtered: 3,
        late: 1,
        invalid: 2,
      });
    });
  });
});

describe('orders-by-state over data/orders.jsonl (PipelineTestDriver)', () => {
  // Arrange: the bundled file on 3 partitions (by line, round-robin), batches of 40 per partition.
  const lines = readOrderLines();
  const records = lines.map((line, i) => ({ partition: i % 3, line }));
  let driver: PipelineTestDriver;
  let totals: Map<
    string,
    { records: number; aggregated: number; filtered: number; late: number; invalid: number }
  >;

  beforeAll(async () => {
    driver = await PipelineTestDriver.start(ordersByState);
    totals = new Map();
    for (let from = 0; from < records.length; from += 120) {
      const batch = records.slice(from, from + 120).map((r) => ({
        value: r.line,
        partition: r.partition,
        timestampMs: 0,
      }));
      for (const o of await driver.pipe(batch)) {
        const t = totals.get(o.pipeline) ?? { records: 0, aggregated: 0, filtered: 0, late: 0, invalid: 0 };
        for (const k of ['records', 'aggregated', 'filtered', 'late', 'invalid'] as const) t[k] += o.stats[k];
        totals.set(o.pipeline, t);
      }
    }
  });
  afterAll(async () => {
    await driver.close();
  });

  it.each([
    [unitsPerState10m.name, perState],
    [largeOrdersPerCity1h.name, largePerCity],
  ])('%s holds the rows and counts an independent computation gives', async (pipeline, rules) => {
    const want = expected(records, rules);

    expect(await rowsOf(driver, pipeline)).toEqual(want.rows);
    expect(totals.get(pipeline)).toEqual(want.tally);
    const t = want.tally;
    expect(t.records).toBe(lines.length);
    expect(t.aggregated + t.filtered + t.late + t.invalid).toBe(t.records);
  });

  it('finds the file as documented: 3 invalid and 2 late records for each pipeline, as dead letters', async () => {
    for (const pipeline of [unitsPerState10m.name, largeOrdersPerCity1h.name]) {
      const letters = await driver.deadLetters(pipeline);
      expect(
        letters
          .filter((d) => d.kind === 'invalid')
          .map((d) => d.code)
          .sort(),
      ).toEqual(['NOT_JSON', 'SCHEMA', 'SCHEMA']);
      expect(letters.filter((d) => d.kind === 'late')).toHaveLength(2);
      expect(totals.get(pipeline)).toMatchObject({ invalid: 3, late: 2 });
    }
  });
});
