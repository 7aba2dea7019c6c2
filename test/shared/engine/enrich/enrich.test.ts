import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LookupCache } from '../../../../shared/engine/enrich/index.js';
import {
  type HandlerSpec,
  processEvent,
  type RouteSpec,
  type TableSpec,
  type WindowedAggregateSpec,
} from '../../../../shared/engine/process/index.js';
import { createPipelineStores } from '../../../../shared/engine/store/dynamo/index.js';
import type { ReferenceTableStore } from '../../../../shared/engine/store/index.js';
import { tumbling } from '../../../../shared/engine/windows/index.js';
import { MemoryRecordSink, PipelineTestDriver } from '../../../../shared/testing/index.js';

const MIN = 60_000;
const T0 = Date.UTC(2020, 6, 1);

const zones: TableSpec = { kind: 'table', name: 'zones', description: '', topic: 'zones', codec: 'json' };
const pickup = { table: 'zones', keyField: 'loc', as: 'zone', fields: ['borough'] } as const;
const enriched: RouteSpec = {
  kind: 'route',
  name: 'enriched',
  description: '',
  topic: 'rides',
  codec: 'json',
  enrich: [pickup],
  routes: [{ to: 'rides_enriched' }],
};
const perBorough: WindowedAggregateSpec = {
  kind: 'windowed-aggregate',
  name: 'per-borough',
  description: '',
  topic: 'rides',
  codec: 'json',
  enrich: [pickup],
  key: { field: 'zone.borough' },
  time: { field: 't' },
  window: tumbling(15 * MIN, 60 * MIN),
  aggregations: [],
};
const tableHandler: HandlerSpec = {
  name: 'zones-table',
  description: '',
  topic: 'zones',
  pipelines: [zones],
};
const ridesHandler: HandlerSpec = {
  name: 'rides',
  description: '',
  topic: 'rides',
  pipelines: [enriched, perBorough],
};

const ride = (loc: number | null, minute: number) => ({
  topic: 'rides',
  value: { loc, t: T0 + minute * MIN },
});

describe('an enrich step (a KStream-KTable left join)', () => {
  let driver: PipelineTestDriver;
  beforeAll(async () => {
    driver = await PipelineTestDriver.start([tableHandler, ridesHandler]);
    await driver.pipe([
      { topic: 'zones', key: '1', value: { borough: 'Manhattan', zone: 'Alphabet City' } },
      { topic: 'zones', key: '2', value: { borough: 'Queens', zone: 'Astoria' } },
    ]);
  });
  afterAll(() => driver.close());

  it('adds the listed fields of the row under `as`, and null when the table has no row or the field is missing', async () => {
    await driver.pipe([ride(1, 0), ride(3, 1), ride(null, 2)]);

    expect(driver.outputs('rides_enriched').map((r) => (r.value as { zone: unknown }).zone)).toEqual([
      { borough: 'Manhattan' },
      null,
      null,
    ]);
    // The aggregation keyed by the enriched field cannot key the rides without a zone.
    expect((await driver.deadLetters('per-borough')).map((d) => d.code)).toEqual(['NO_KEY', 'NO_KEY']);
  });

  it('sees the table as it is when the record is processed: an update reaches the next records', async () => {
    await driver.pipe([{ topic: 'zones', key: '3', value: { borough: 'Bronx' } }]);
    await driver.pipe([ride(3, 3)]);

    expect(driver.outputs('rides_enriched').at(-1)!.value).toMatchObject({
      loc: 3,
      zone: { borough: 'Bronx' },
    });
  });

  it("dead-letters the record instead when the step says onMissing: 'dead-letter' (an inner join)", async () => {
    const inner = await PipelineTestDriver.start([
      tableHandler,
      {
        ...ridesHandler,
        pipelines: [{ ...enriched, name: 'inner', enrich: [{ ...pickup, onMissing: 'dead-letter' }] }],
      },
    ]);
    try {
      const outcomes = await inner.pipe([ride(5, 0)]);

      expect(inner.outputs('rides_enriched')).toEqual([]);
      expect(outcomes[0]!.stats).toMatchObject({ records: 1, invalid: 1, aggregated: 0 });
      const [letter] = await inner.deadLetters('inner');
      expect(letter).toMatchObject({ code: 'NO_TABLE_ROW', field: 'loc' });
      expect(letter!.reason).toContain('table zones has no row for loc "5"');
    } finally {
      await inner.close();
    }
  });
});

describe('enrichment under redelivery (lookup pins)', () => {
  it('enriches a redelivered batch with the rows its failed attempt used, though the table changed in between', async () => {
    const driver = await PipelineTestDriver.start([tableHandler, ridesHandler]);
    try {
      await driver.pipe([{ topic: 'zones', key: '1', value: { borough: 'Manhattan' } }]);
      // Four windows: four item writes, so a crash can land between them.
      const batch = driver.eventOf([ride(1, 0), ride(1, 16), ride(1, 31), ride(1, 46)]);
      // The first attempt crashes after its first aggregate write: some effects landed.
      let updates = 0;
      const crashing = Object.create(driver.doc) as typeof driver.doc;
      crashing.send = (async (command: { constructor: { name: string } }) => {
        if (command.constructor.name === 'UpdateCommand' && updates++ >= 1) throw new Error('crash');
        return driver.doc.send(command as never);
      }) as typeof driver.doc.send;
      const sink = new MemoryRecordSink();
      await expect(
        processEvent(ridesHandler, batch, createPipelineStores(crashing, driver.tables), { sink }),
      ).rejects.toThrow();
      // The zone changes before Lambda retries.
      await driver.pipe([{ topic: 'zones', key: '1', value: { borough: 'Brooklyn' } }]);

      await processEvent(ridesHandler, batch, driver.stores, { sink });
      await driver.pipe([ride(1, 4)]);

      // The four rides of the batch count once each, under the zone the first attempt saw;
      // the ride after the batch sees the new zone.
      const counts = new Map<string, number>();
      for (const r of await driver.rows('per-borough')) counts.set(r.key, (counts.get(r.key) ?? 0) + r.count);
      expect(counts).toEqual(
        new Map([
          ['Brooklyn', 1],
          ['Manhattan', 4],
        ]),
      );
      // Every copy an attempt sent is identical to the others of its source record.
      const bySource = new Map<string, string[]>();
      for (const r of sink.topic('rides_enriched')) {
        bySource.set(r.source!, [...(bySource.get(r.source!) ?? []), JSON.stringify(r.value)]);
      }
      expect(bySource.size).toBe(4);
      for (const copies of bySource.values()) expect(new Set(copies).size).toBe(1);
    } finally {
      await driver.close();
    }
  });
});

describe('the per-container row cache', () => {
  const counting = (rows: Record<string, { borough: string }>) => {
    const reads: string[][] = [];
    const store: ReferenceTableStore = {
      apply: async () => ({ written: 0, alreadyApplied: 0 }),
      list: async () => [],
      getMany: async (_table, keys) => {
        reads.push([...keys]);
        return new Map(keys.filter((k) => rows[k]).map((k) => [k, rows[k]!]));
      },
    };
    return { store, reads };
  };

  it('reads each key at most once within the staleness bound, misses included, and again after it', async () => {
    let now = 0;
    const { store, reads } = counting({ '1': { borough: 'Queens' } });
    const cache = new LookupCache(store, () => now);

    expect(await cache.rows('zones', ['1', '9'], 1000)).toEqual(
      new Map([
        ['1', { borough: 'Queens' }],
        ['9', null],
      ]),
    );
    now = 1000;
    await cache.rows('zones', ['1', '9'], 1000);
    expect(reads).toEqual([['1', '9']]);
    now = 1001;
    await cache.rows('zones', ['9', '2'], 1000);
    expect(reads).toEqual([
      ['1', '9'],
      ['9', '2'],
    ]);
  });

  it('forgets the least recently read keys beyond its bound', async () => {
    const { store, reads } = counting({});
    const cache = new LookupCache(store, () => 0, 2);
    await cache.rows('zones', ['a', 'b', 'c'], 1000);
    await cache.rows('zones', ['a'], 1000);

    expect(reads).toEqual([['a', 'b', 'c'], ['a']]);
  });
});
