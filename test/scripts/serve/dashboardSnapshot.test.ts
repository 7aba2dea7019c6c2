import { describe, expect, it } from 'vitest';
import type { PipelineGap } from '../../../scripts/lib/gapListing.js';
import type { ResultRow } from '../../../scripts/lib/resultRows.js';
import { buildSnapshot, type StoreContents } from '../../../scripts/serve/dashboardSnapshot.js';
import { PIPELINE_VIEWS, pipelineView, windowTotals } from '../../../scripts/serve/pipelineViews.js';
import { type DeadLetter, type PipelineSpec, PROCESSORS } from '../../../shared/engine/process/index.js';
import {
  type BufferEntry,
  type JoinPair,
  type JoinSpec,
  joinSideCopy,
} from '../../../shared/engine/processors/index.js';
import { tumbling } from '../../../shared/engine/windows/index.js';
import {
  dropoffCount,
  pairSessions5m,
  pickup5m,
  tips1h,
  vendorHopping,
} from '../../../shared/rides/index.js';
import type { Zone } from '../../../shared/rides/schemas/index.js';

const zones = new Map<number, Zone>([
  [1, { locationid: 1, borough: 'EWR', zone: 'Newark Airport', service_zone: 'EWR' }],
  [2, { locationid: 2, borough: 'Queens', zone: 'Jamaica Bay', service_zone: 'Boro Zone' }],
]);
const T0 = Date.UTC(2020, 6, 1);
const FIVE_MIN_MS = 300_000;
const row = (
  pipeline: string,
  key: string,
  count: number,
  startMs: number | null,
  aggregates: Record<string, string> = {},
  sizeMs = FIVE_MIN_MS,
): ResultRow => ({
  pipeline,
  key,
  windowStartMs: startMs,
  windowEndMs: startMs === null ? null : startMs + sizeMs,
  count,
  aggregates,
});
const letter = (pipeline: string, kind: 'invalid' | 'late', offset: number): DeadLetter => ({
  pipeline,
  kind,
  topic: 'rides',
  partition: 0,
  offset,
  timestampMs: T0,
  code: kind === 'late' ? 'LATE' : 'SCHEMA',
  reason: kind === 'late' ? 'window closed' : 'PULocationID: expected a number',
  ...(kind === 'invalid' ? { field: 'PULocationID' } : { windowStartMs: T0, windowEndMs: T0 + FIVE_MIN_MS }),
  key: null,
  value: '{"secret":"raw value"}',
  valueBase64: null,
  truncated: false,
});
const contents = (
  aggregates: Record<string, ResultRow[]>,
  deadLetters: DeadLetter[] = [],
): StoreContents => ({
  aggregates: new Map(Object.entries(aggregates)),
  tableRows: new Map(),
  deadLetters,
});

describe('the page data', () => {
  it('lists every pickup window in time order with all its zones by name, busiest zone first', () => {
    const snapshot = buildSnapshot(
      [pickup5m, tips1h, vendorHopping, dropoffCount],
      contents({
        'pickup-5m': [
          row('pickup-5m', '1', 1, T0 + FIVE_MIN_MS),
          row('pickup-5m', '1', 2, T0),
          row('pickup-5m', '2', 3, T0),
        ],
      }),
      zones,
    );

    expect(snapshot.rides?.pickupWindows.map((w) => [w.windowStartMs, w.rides])).toEqual([
      [T0, 5],
      [T0 + FIVE_MIN_MS, 1],
    ]);
    expect(snapshot.rides?.pickupWindows[0]?.top.map((z) => [z.zone, z.count])).toEqual([
      ['Jamaica Bay', 3],
      ['Newark Airport', 2],
    ]);
  });

  it('has no ride sections when the catalog lacks a ride pipeline, and still a section per pipeline', () => {
    const snapshot = buildSnapshot(
      [pickup5m],
      contents({ 'pickup-5m': [row('pickup-5m', '1', 2, T0)] }),
      zones,
    );

    expect(snapshot.rides).toBeNull();
    expect(snapshot.pipelines.map((p) => [p.name, p.view.type])).toEqual([['pickup-5m', 'series']]);
  });

  it('counts late and rejected dead letters per pipeline and lists them without their raw values', () => {
    const snapshot = buildSnapshot(
      [pickup5m, tips1h],
      contents({}, [
        letter('pickup-5m', 'late', 7),
        letter('pickup-5m', 'invalid', 3),
        letter('tips-1h', 'invalid', 1),
      ]),
      zones,
    );

    expect(snapshot.pipelines.map((p) => [p.name, p.late, p.rejected])).toEqual([
      ['pickup-5m', 1, 1],
      ['tips-1h', 0, 1],
    ]);
    // In the order `dead-letters` prints: pipeline, then partition and offset.
    expect(snapshot.deadLetters.map((d) => [d.pipeline, d.offset])).toEqual([
      ['pickup-5m', 3],
      ['pickup-5m', 7],
      ['tips-1h', 1],
    ]);
    expect(JSON.stringify(snapshot)).not.toContain('raw value');
  });
});

describe('the page data: gaps', () => {
  const gap = (pipeline: string, closedAtMs?: number): PipelineGap => ({
    pipeline,
    partitionId: 'rides-0',
    startOffset: 4,
    endOffset: 8,
    streamTimeMs: Number.NEGATIVE_INFINITY,
    detectedAtMs: T0,
    ...(closedAtMs === undefined ? {} : { closedAtMs, closedReason: 'no-records' as const }),
  });

  it('has an empty gap list when the store holds no gap', () => {
    expect(buildSnapshot([pickup5m], contents({}), zones).gaps).toEqual([]);
  });

  it('carries every gap in the order read, open and closed, in the `gaps --json` shape', () => {
    const snapshot = buildSnapshot(
      [pickup5m],
      { ...contents({}), gaps: [gap('pickup-5m'), gap('tips-1h', T0 + 60_000)] },
      zones,
    );

    expect(snapshot.gaps).toEqual([
      {
        pipeline: 'pickup-5m',
        partition: 'rides-0',
        startOffset: 4,
        endOffset: 8,
        streamTime: null,
        detectedAt: '2020-07-01T00:00:00.000Z',
        open: true,
      },
      {
        pipeline: 'tips-1h',
        partition: 'rides-0',
        startOffset: 4,
        endOffset: 8,
        streamTime: null,
        detectedAt: '2020-07-01T00:00:00.000Z',
        open: false,
        closedAt: '2020-07-01T00:01:00.000Z',
        closedReason: 'no-records',
      },
    ]);
  });
});

describe('one view per pipeline kind', () => {
  const byState: PipelineSpec = {
    kind: 'windowed-aggregate',
    name: 'units-10m',
    description: 'units per state',
    topic: 'orders',
    codec: 'json',
    key: { field: 'state' },
    time: { kafkaTimestamp: true },
    window: tumbling(600_000, 0),
    aggregations: [{ op: 'sum', field: 'units' }],
  };

  it('has a view for every kind the engine runs', () => {
    expect(Object.keys(PIPELINE_VIEWS).sort()).toEqual(Object.keys(PROCESSORS).sort());
  });

  it('draws a windowed pipeline as totals per window, with sums and derived averages as numbers', () => {
    const rows = [
      row('units-10m', 'CA', 2, T0, { sum_units: '5' }, 600_000),
      row('units-10m', 'NY', 1, T0, { sum_units: '1.5' }, 600_000),
    ];

    const view = pipelineView(byState, { aggregates: rows, tableRows: [], zones }, []);

    expect(view).toMatchObject({ rows: 2, counted: 3, window: 'tumbling 10 min' });
    expect(view.view.type === 'series' && view.view.totals).toEqual([
      { windowStartMs: T0, windowEndMs: T0 + 600_000, count: 3 },
    ]);
    expect(view.view.type === 'series' && view.view.rows[0]).toMatchObject({
      key: 'CA',
      values: { sum_units: 5, avg_units: 2.5 },
    });
  });

  it('ranks an all-time pipeline by count, ties by key, naming location ids by zone', () => {
    const rows = [
      row('dropoff-count', '2', 4, null),
      row('dropoff-count', '1', 4, null),
      row('dropoff-count', '3', 9, null),
    ];

    const view = pipelineView(dropoffCount, { aggregates: rows, tableRows: [], zones }, []);

    expect(view.view.type).toBe('ranking');
    expect(view.view.type === 'ranking' && view.view.rows.map((r) => [r.key, r.label])).toEqual([
      ['3', undefined],
      ['1', 'Newark Airport'],
      ['2', 'Jamaica Bay'],
    ]);
  });

  it("ranks a session pipeline's live sessions by count, then duration, leaving out merged-away markers", () => {
    const rows = [
      row('pair-sessions-5m', '1|2', 2, T0, {}, 60_000),
      row('pair-sessions-5m', '3|4', 2, T0, {}, 120_000),
      row('pair-sessions-5m', '5|6', 3, T0, {}, 0),
      // A merged-away session's row: a marker without count.
      row('pair-sessions-5m', '1|2', 0, T0 + 60_000, {}, 0),
    ];

    const view = pipelineView(pairSessions5m, { aggregates: rows, tableRows: [], zones }, []);

    expect(view.view.type === 'ranking' && view.view.rows.map((r) => [r.key, r.count])).toEqual([
      ['5|6', 3],
      ['3|4', 2],
      ['1|2', 2],
    ]);
    expect([view.rows, view.counted]).toEqual([3, 7]);
  });

  describe('a join', () => {
    const orders = (type: JoinSpec['type']): JoinSpec =>
      joinSideCopy(
        {
          kind: 'join',
          name: 'orders-payments',
          description: 'orders joined with payments by id',
          type,
          partitions: { left: 1, right: 1 },
          left: { topic: 'orders', codec: 'json', key: { field: 'id' }, time: { field: 't' } },
          right: { topic: 'payments', codec: 'json', key: { field: 'id' }, time: { field: 't' } },
          windowMs: 600_000,
          graceMs: 300_000,
          select: [
            { side: 'left', field: 'item' },
            { side: 'right', field: 'paid', as: 'amount' },
          ],
        },
        'left',
      );
    const pair: JoinPair = {
      id: 'orders/0/0|payments/0/0',
      key: '10',
      timeMs: T0 + 60_000,
      leftId: 'orders/0/0',
      rightId: 'payments/0/0',
      leftTimeMs: T0,
      rightTimeMs: T0 + 60_000,
      value: { item: 'tea', amount: 4.5 },
    };
    const unmatched: BufferEntry = {
      side: 'left',
      key: '2',
      timeMs: T0,
      id: 'orders/0/1',
      value: { id: 2, t: T0, item: 'cake' },
    };

    it("shows a left join's unmatched records among the pairs by key, the other side's columns empty", () => {
      const view = pipelineView(
        orders('left'),
        { aggregates: [], tableRows: [], joinPairs: [pair], joinUnmatched: [unmatched], zones },
        [],
      );

      expect(view.rows).toBe(2);
      expect(view.view).toEqual({
        type: 'table',
        fields: ['time', 'match', 'item', 'amount'],
        rows: [
          {
            key: '2',
            values: { time: '2020-07-01T00:00:00.000Z', match: 'unmatched left', item: 'cake', amount: '' },
          },
          {
            key: '10',
            values: { time: '2020-07-01T00:01:00.000Z', match: 'pair', item: 'tea', amount: '4.5' },
          },
        ],
      });
    });

    it("draws an inner join's pairs as before: no match column", () => {
      const view = pipelineView(
        orders('inner'),
        { aggregates: [], tableRows: [], joinPairs: [pair], zones },
        [],
      );

      expect(view.view).toEqual({
        type: 'table',
        fields: ['time', 'item', 'amount'],
        rows: [{ key: '10', values: { time: '2020-07-01T00:01:00.000Z', item: 'tea', amount: '4.5' } }],
      });
    });
  });

  it('sums counts per window in time order, over keys', () => {
    expect(
      windowTotals([row('p', 'a', 1, T0 + FIVE_MIN_MS), row('p', 'b', 2, T0), row('p', 'a', 3, T0)]),
    ).toEqual([
      { windowStartMs: T0, windowEndMs: T0 + FIVE_MIN_MS, count: 5 },
      { windowStartMs: T0 + FIVE_MIN_MS, windowEndMs: T0 + 2 * FIVE_MIN_MS, count: 1 },
    ]);
  });
});
