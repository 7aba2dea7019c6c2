import { describe, expect, it } from 'vitest';
import type { ResultRow } from '../../../scripts/lib/resultRows.js';
import {
  busiestPickupWindows,
  describeWindow,
  formatSummary,
  summarize,
  topDropoffZones,
} from '../../../scripts/lib/summaries.js';
import type { DeadLetter, PipelineSpec } from '../../../shared/engine/process/index.js';
import { allTime, hopping, tumbling } from '../../../shared/engine/windows/index.js';
import type { Zone } from '../../../shared/rides/schemas/index.js';

const zones = new Map<number, Zone>([
  [1, { locationid: 1, borough: 'EWR', zone: 'Newark Airport', service_zone: 'EWR' }],
  [2, { locationid: 2, borough: 'Queens', zone: 'Jamaica Bay', service_zone: 'Boro Zone' }],
  [3, { locationid: 3, borough: 'Bronx', zone: 'Allerton/Pelham Gardens', service_zone: 'Boro Zone' }],
]);
const T0 = Date.UTC(2020, 6, 1);
const row = (
  pipeline: string,
  key: string,
  count: number,
  startMs: number | null,
  sizeMs = 300_000,
): ResultRow => ({
  pipeline,
  key,
  windowStartMs: startMs,
  windowEndMs: startMs === null ? null : startMs + sizeMs,
  count,
  aggregates: {},
});

describe('start summaries', () => {
  it('ranks windows by rides, earlier first on a tie, and zones by count, lower id first on a tie', () => {
    const rows = [
      row('pickup-5m', '1', 5, T0 + 300_000),
      row('pickup-5m', '3', 2, T0),
      row('pickup-5m', '2', 2, T0),
      row('pickup-5m', '1', 1, T0),
      row('pickup-5m', '2', 5, T0 - 300_000),
      row('pickup-5m', '3', 1, T0 - 600_000),
    ];

    const windows = busiestPickupWindows(rows, zones, {
      busiestWindows: 3,
      zonesPerWindow: 2 /* the 1-ride window is left out */,
    });

    expect(windows.map((w) => [w.windowStartMs, w.rides, w.top.map((z) => z.locationId)])).toEqual([
      [T0 - 300_000, 5, [2]],
      [T0, 5, [2, 3]],
      [T0 + 300_000, 5, [1]],
    ]);
  });

  it('names zones the lookup does not know by their id', () => {
    expect(topDropoffZones([row('dropoff-count', '999', 4, null)], zones)).toEqual([
      { locationId: 999, zone: '#999', borough: '?', count: 4 },
    ]);
  });

  it('counts late and rejected dead letters per pipeline and prints them', () => {
    const letter = (pipeline: string, kind: 'late' | 'invalid', offset: number) =>
      ({ pipeline, kind, topic: 'rides', partition: 0, offset }) as never;
    const summary = summarize({
      rows: new Map([['pickup-5m', [row('pickup-5m', '1', 3, T0)]]]),
      deadLetters: [
        letter('pickup-5m', 'late', 1),
        letter('pickup-5m', 'invalid', 2),
        letter('tips-1h', 'late', 1),
      ],
      zones,
    });

    expect(summary.pipelines.map((p) => [p.pipeline, p.rows, p.counted, p.late, p.rejected])).toEqual([
      ['pickup-5m', 1, 3, 1, 1],
      ['tips-1h', 0, 0, 1, 0],
      ['vendor-10m-hop-5m', 0, 0, 0, 0],
      ['dropoff-count', 0, 0, 0, 0],
    ]);
    const text = formatSummary(summary);
    expect(text).toContain('2020-07-01 00:00-00:05 UTC: 3 rides');
    expect(text).toContain('     3  Newark Airport, EWR (#1)');
    expect(text.some((l) => /^pickup-5m\s+tumbling 5 min\s+1\s+3\s+1\s+1$/.test(l))).toBe(true);
  });
});

describe('start summaries of any registered pipeline', () => {
  const trips: PipelineSpec = {
    kind: 'windowed-aggregate',
    name: 'trips-per-city',
    description: 'All-time trip count per city',
    topic: 'trips',
    codec: 'json',
    key: { field: 'city' },
    time: { field: 'at' },
    window: allTime(),
    aggregations: [],
  };

  it('lists top rows by count and the aggregated, late and rejected counts, without the ride sections', () => {
    const letters = [{ pipeline: 'trips-per-city', kind: 'invalid' }] as DeadLetter[];
    const summary = summarize({
      rows: new Map([
        [
          'trips-per-city',
          [row('trips-per-city', 'Porto', 1, null), row('trips-per-city', 'Lisbon', 3, null)],
        ],
      ]),
      deadLetters: letters,
      pipelines: [trips],
    });

    expect(summary.rides).toBe(false);
    expect(summary.busiestPickupWindows).toEqual([]);
    expect(summary.topRows.map((t) => [t.pipeline, t.window, t.top.map((r) => [r.key, r.count])])).toEqual([
      [
        'trips-per-city',
        'all-time',
        [
          ['Lisbon', 3],
          ['Porto', 1],
        ],
      ],
    ]);
    expect(summary.pipelines.map((p) => [p.pipeline, p.rows, p.counted, p.late, p.rejected])).toEqual([
      ['trips-per-city', 2, 4, 0, 1],
    ]);
    const text = formatSummary(summary);
    expect(text).toContain('Top rows by count (trips-per-city, all-time)');
    expect(text.some((l) => l.startsWith('Busiest'))).toBe(false);
  });

  it('describes windows with the window kinds’ labels', () => {
    expect(describeWindow({ ...trips, window: hopping(600_000, 300_000, 0) })).toBe(
      'hopping 10 min every 5 min',
    );
    expect(describeWindow({ ...trips, window: tumbling(3_600_000, 0) })).toBe('tumbling 1 h');
  });
});
