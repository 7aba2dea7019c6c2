import {
  type DeadLetter,
  isSession,
  isWindowedAggregate,
  type PipelineSpec,
} from '../../shared/engine/process/index.js';
import { windowKind } from '../../shared/engine/windows/index.js';
import { dropoffCount, pickup5m, tips1h, vendorHopping } from '../../shared/rides/index.js';
import type { Zone } from '../../shared/rides/schemas/index.js';
import type { ResultRow } from './resultRows.js';
import { compareSessions, formatDuration, sessionDurationMs } from './sessionRows.js';
import { formatTable, shortUtc } from './textTable.js';

/**
 * The summaries `start` prints, computed from table rows only (pure: rows, dead letters and
 * zones in, data out), so they can be checked against an independent computation.
 */

/** A location with its zone name. */
export interface ZoneCount {
  readonly locationId: number;
  /** Zone name, or `#<id>` when the lookup does not know it. */
  readonly zone: string;
  readonly borough: string;
  readonly count: number;
}

/** A 5-minute window and its busiest pickup zones. */
export interface BusyWindow {
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  /** Rides in the window, all zones. */
  readonly rides: number;
  readonly top: readonly ZoneCount[];
}

/** Tips of one hour. */
export interface HourTips {
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly rides: number;
  /** Exact decimal, as stored. */
  readonly tips: string;
  readonly avgTip: number;
}

/** Rides per vendor in one hopping window. */
export interface VendorWindow {
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  /** Vendor id -> rides. */
  readonly byVendor: Readonly<Record<string, number>>;
}

/** What the tables say a pipeline did. */
export interface PipelineCounts {
  readonly pipeline: string;
  readonly window: string;
  /** Items (key, window) in the table. */
  readonly rows: number;
  /** Sum of counts; for hopping windows a record counts once per window it falls in. */
  readonly counted: number;
  /** Late dead letters: one per (record, closed window). */
  readonly late: number;
  /** Invalid dead letters (undecodable, schema, tombstone). */
  readonly rejected: number;
}

/** The largest rows of a pipeline outside the ride summaries. */
export interface PipelineTopRows {
  readonly pipeline: string;
  readonly window: string;
  /** Largest count first, ties by key then window. */
  readonly top: readonly ResultRow[];
}

/** Everything `start` prints after the replay; the ride sections are empty without the ride pipelines. */
export interface StartSummary {
  readonly busiestPickupWindows: readonly BusyWindow[];
  readonly tipsPerHour: readonly HourTips[];
  readonly vendorWindows: readonly VendorWindow[];
  readonly topDropoffZones: readonly ZoneCount[];
  readonly pipelines: readonly PipelineCounts[];
  /** Whether the ride sections apply (the four ride pipelines are among those summarized). */
  readonly rides: boolean;
  /** Top rows of every pipeline the ride sections do not cover (any registered pipeline). */
  readonly topRows: readonly PipelineTopRows[];
  /** Per session pipeline, its longest sessions: the longest unbroken streaks of each key. */
  readonly longestSessions: readonly SessionStreaks[];
}

/** A session pipeline's longest sessions, by record count and by duration. */
export interface SessionStreaks {
  readonly pipeline: string;
  readonly gapMs: number;
  /** Most records first (ties: longer first, then key). */
  readonly byCount: readonly ResultRow[];
  /** Longest from first to last record first (ties: more records first, then key). */
  readonly byDuration: readonly ResultRow[];
}

/** Inputs of {@link summarize}: rows by pipeline name, every dead letter, the zone lookup. */
export interface SummaryInput {
  readonly rows: ReadonlyMap<string, readonly ResultRow[]>;
  readonly deadLetters: readonly DeadLetter[];
  /** Zone names for the ride sections. @default none: zones are named by id */
  readonly zones?: ReadonlyMap<number, Zone>;
  /** Pipelines to summarize (the catalog's). @default pickup-5m, tips-1h, vendor-10m-hop-5m, dropoff-count */
  readonly pipelines?: readonly PipelineSpec[];
}

/** The four pipelines the ride sections read, in the order the per-pipeline table lists them. */
export const RIDE_SUMMARY_PIPELINES: readonly PipelineSpec[] = [
  pickup5m,
  tips1h,
  vendorHopping,
  dropoffCount,
];

/** Whether the ride sections apply: every pipeline they read is among `pipelines` (by name). */
export function hasRidePipelines(pipelines: readonly PipelineSpec[]): boolean {
  return RIDE_SUMMARY_PIPELINES.every((r) => pipelines.some((p) => p.name === r.name));
}

/** Sizes of the summaries. */
export interface SummaryLimits {
  /** @default 5 */
  readonly busiestWindows?: number;
  /** @default 3 */
  readonly zonesPerWindow?: number;
  /** @default 10 */
  readonly topDropoffs?: number;
  /** Rows per pipeline in the generic sections. @default 5 */
  readonly topRows?: number;
}

const numeric = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

function zoneCount(zones: ReadonlyMap<number, Zone>, key: string, count: number): ZoneCount {
  const id = Number(key);
  const z = zones.get(id);
  return { locationId: id, zone: z?.zone ?? `#${key}`, borough: z?.borough ?? '?', count };
}

/** Ties are broken by location id, so the result never depends on table order. */
function byCountThenId(a: ResultRow, b: ResultRow): number {
  return b.count - a.count || numeric(a.key, b.key);
}

/** The windows with the most pickups, each with its busiest zones. Ties: earlier window first. */
export function busiestPickupWindows(
  rows: readonly ResultRow[],
  zones: ReadonlyMap<number, Zone>,
  limits: SummaryLimits = {},
): BusyWindow[] {
  const windows = new Map<number, ResultRow[]>();
  for (const r of rows) {
    if (r.windowStartMs === null) continue;
    let list = windows.get(r.windowStartMs);
    if (!list) windows.set(r.windowStartMs, (list = []));
    list.push(r);
  }
  return [...windows.values()]
    .map((list) => ({
      windowStartMs: list[0]!.windowStartMs!,
      windowEndMs: list[0]!.windowEndMs!,
      rides: list.reduce((n, r) => n + r.count, 0),
      top: [...list]
        .sort(byCountThenId)
        .slice(0, limits.zonesPerWindow ?? 3)
        .map((r) => zoneCount(zones, r.key, r.count)),
    }))
    .sort((a, b) => b.rides - a.rides || a.windowStartMs - b.windowStartMs)
    .slice(0, limits.busiestWindows ?? 5);
}

/** Tips per hour window, in time order. */
export function tipsPerHour(rows: readonly ResultRow[]): HourTips[] {
  return rows
    .filter((r) => r.windowStartMs !== null)
    .map((r) => {
      const tips = r.aggregates.sum_tip_amount ?? '0';
      return {
        windowStartMs: r.windowStartMs!,
        windowEndMs: r.windowEndMs!,
        rides: r.count,
        tips,
        avgTip: r.count > 0 ? Number(tips) / r.count : 0,
      };
    })
    .sort((a, b) => a.windowStartMs - b.windowStartMs);
}

/** Rides per vendor in each hopping window, in time order. */
export function vendorWindows(rows: readonly ResultRow[]): VendorWindow[] {
  const windows = new Map<
    number,
    { windowStartMs: number; windowEndMs: number; byVendor: Record<string, number> }
  >();
  for (const r of rows) {
    if (r.windowStartMs === null) continue;
    let w = windows.get(r.windowStartMs);
    if (!w)
      windows.set(
        r.windowStartMs,
        (w = { windowStartMs: r.windowStartMs, windowEndMs: r.windowEndMs!, byVendor: {} }),
      );
    w.byVendor[r.key] = r.count;
  }
  return [...windows.values()].sort((a, b) => a.windowStartMs - b.windowStartMs);
}

/** The all-time busiest drop-off zones. */
export function topDropoffZones(
  rows: readonly ResultRow[],
  zones: ReadonlyMap<number, Zone>,
  limits: SummaryLimits = {},
): ZoneCount[] {
  return [...rows]
    .sort(byCountThenId)
    .slice(0, limits.topDropoffs ?? 10)
    .map((r) => zoneCount(zones, r.key, r.count));
}

/** Rows, counted records and dead letters per pipeline, from the tables. */
export function pipelineCounts(
  rows: ReadonlyMap<string, readonly ResultRow[]>,
  deadLetters: readonly DeadLetter[],
  pipelines: readonly PipelineSpec[],
): PipelineCounts[] {
  return pipelines.map((p) => {
    const own = rows.get(p.name) ?? [];
    const letters = deadLetters.filter((d) => d.pipeline === p.name);
    return {
      pipeline: p.name,
      window: describeWindow(p),
      rows: own.length,
      counted: own.reduce((n, r) => n + r.count, 0),
      late: letters.filter((d) => d.kind === 'late').length,
      rejected: letters.filter((d) => d.kind === 'invalid').length,
    };
  });
}

/** `tumbling 5 min`, `hopping 10 min every 5 min`, `all-time`: the window kind's own label. */
export function describeWindow(p: PipelineSpec): string {
  if (p.kind === 'session') return `session gap ${p.gapMs / 1000} s`;
  return p.kind === 'windowed-aggregate' ? windowKind(p.window).label(p.window) : p.kind;
}

/** A pipeline's largest rows: count descending, ties by key (numerically) then window start. */
export function topRowsOf(
  p: PipelineSpec,
  rows: readonly ResultRow[],
  limits: SummaryLimits = {},
): PipelineTopRows {
  const top = [...rows]
    .sort(
      (a, b) => b.count - a.count || numeric(a.key, b.key) || (a.windowStartMs ?? 0) - (b.windowStartMs ?? 0),
    )
    .slice(0, limits.topRows ?? 5);
  return { pipeline: p.name, window: describeWindow(p), top };
}

/**
 * The start summary: the ride sections when the ride pipelines are there, top rows for
 * every other pipeline, and per-pipeline counts for all.
 */
export function summarize(input: SummaryInput, limits: SummaryLimits = {}): StartSummary {
  // Route and table pipelines keep no windowed rows: their results are output topics and
  // reference rows, which `start` reports on its own.
  const given = (input.pipelines ?? RIDE_SUMMARY_PIPELINES).filter(isWindowedAggregate);
  const sessionPipelines = (input.pipelines ?? []).filter(isSession);
  // Session rows include count-less markers of merged-away sessions: only live ones are sessions.
  const liveSessions = (p: PipelineSpec) => (input.rows.get(p.name) ?? []).filter((r) => r.count > 0);
  const rides = hasRidePipelines(given);
  // The ride pipelines first, in the order their sections print, then the rest in catalog order.
  const pipelines = rides
    ? [
        ...RIDE_SUMMARY_PIPELINES.map((r) => given.find((p) => p.name === r.name)!),
        ...given.filter((p) => !RIDE_SUMMARY_PIPELINES.some((r) => r.name === p.name)),
      ]
    : given;
  const rowsOf = (p: PipelineSpec) => input.rows.get(p.name) ?? [];
  const zones = input.zones ?? new Map<number, Zone>();
  const covered = new Set(rides ? RIDE_SUMMARY_PIPELINES.map((p) => p.name) : []);
  return {
    rides,
    busiestPickupWindows: rides ? busiestPickupWindows(rowsOf(pickup5m), zones, limits) : [],
    tipsPerHour: rides ? tipsPerHour(rowsOf(tips1h)) : [],
    vendorWindows: rides ? vendorWindows(rowsOf(vendorHopping)) : [],
    topDropoffZones: rides ? topDropoffZones(rowsOf(dropoffCount), zones, limits) : [],
    pipelines: [
      ...pipelineCounts(input.rows, input.deadLetters, pipelines),
      ...pipelineCounts(
        new Map(sessionPipelines.map((p) => [p.name, liveSessions(p)])),
        input.deadLetters,
        sessionPipelines,
      ),
    ],
    topRows: pipelines.filter((p) => !covered.has(p.name)).map((p) => topRowsOf(p, rowsOf(p), limits)),
    longestSessions: sessionPipelines.map((p) => ({
      pipeline: p.name,
      gapMs: p.gapMs,
      byCount: [...liveSessions(p)].sort(compareSessions('count')).slice(0, limits.topRows ?? 5),
      byDuration: [...liveSessions(p)].sort(compareSessions('duration')).slice(0, limits.topRows ?? 5),
    })),
  };
}

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
const windowLabel = (startMs: number, endMs: number) => `${shortUtc(startMs).slice(0, 16)}-${hhmm(endMs)}`;
const zoneLabel = (z: ZoneCount) => `${z.zone}, ${z.borough} (#${z.locationId})`;

/** The summary as text for the terminal; times are UTC. */
export function formatSummary(s: StartSummary): string[] {
  const lines: string[] = [];
  const section = (title: string) => lines.push('', title, '='.repeat(title.length));
  if (s.rides) formatRideSections(s, section, lines);
  for (const t of s.topRows) {
    section(`Top rows by count (${t.pipeline}, ${t.window})`);
    lines.push(
      ...formatTable(
        ['key', 'window (UTC)', 'count'],
        t.top.map((r) => [
          r.key,
          r.windowStartMs === null
            ? 'all time'
            : windowLabel(r.windowStartMs, r.windowEndMs ?? r.windowStartMs),
          r.count,
        ]),
        ['left', 'left', 'right'],
      ),
    );
    if (t.top.length === 0) lines.push('(no rows)');
  }

  for (const t of s.longestSessions) {
    for (const [by, rows] of [
      ['records', t.byCount],
      ['duration', t.byDuration],
    ] as const) {
      section(`Longest sessions by ${by} (${t.pipeline}, gap ${t.gapMs / 1000} s)`);
      lines.push(
        ...formatTable(
          ['key', 'first ride (UTC)', 'last ride (UTC)', 'duration', 'rides'],
          rows.map((r) => [
            r.key,
            shortUtc(r.windowStartMs ?? 0),
            shortUtc(r.windowEndMs ?? 0),
            formatDuration(sessionDurationMs(r)),
            r.count,
          ]),
          ['left', 'left', 'left', 'right', 'right'],
        ),
      );
      if (rows.length === 0) lines.push('(no sessions)');
    }
  }

  section('Per pipeline, from the tables');
  lines.push(
    ...formatTable(
      ['pipeline', 'window', 'rows', 'counted', 'late', 'rejected'],
      s.pipelines.map((p) => [p.pipeline, p.window, p.rows, p.counted, p.late, p.rejected]),
      ['left', 'left', 'right', 'right', 'right', 'right'],
    ),
    'counted = sum of counts (a hopping window counts a record once per window it falls in);',
    'late = dead letters of records whose window had closed, one per (record, window); rejected = invalid records.',
  );
  return lines;
}

/** The ride example's sections: busiest pickup windows, tips per hour, vendors, drop-off zones. */
function formatRideSections(s: StartSummary, section: (title: string) => void, lines: string[]): void {
  section(`Busiest 5-minute pickup windows (${pickup5m.name}), top zones each`);
  if (s.busiestPickupWindows.length === 0) lines.push('(no rows)');
  for (const w of s.busiestPickupWindows) {
    lines.push(`${windowLabel(w.windowStartMs, w.windowEndMs)} UTC: ${w.rides} rides`);
    for (const z of w.top) lines.push(`  ${String(z.count).padStart(4)}  ${zoneLabel(z)}`);
  }

  section(`Tips per hour (${tips1h.name})`);
  lines.push(
    ...formatTable(
      ['hour (UTC)', 'rides', 'tips $', 'avg tip $'],
      s.tipsPerHour.map((h) => [
        windowLabel(h.windowStartMs, h.windowEndMs),
        h.rides,
        Number(h.tips).toFixed(2),
        h.avgTip.toFixed(2),
      ]),
      ['left', 'right', 'right', 'right'],
    ),
  );

  section(`Rides per vendor, 10-minute windows every 5 minutes (${vendorHopping.name})`);
  const vendors = [...new Set(s.vendorWindows.flatMap((w) => Object.keys(w.byVendor)))].sort(numeric);
  lines.push(
    ...formatTable(
      ['window (UTC)', ...vendors.map((v) => `vendor ${v}`), 'total'],
      s.vendorWindows.map((w) => [
        windowLabel(w.windowStartMs, w.windowEndMs),
        ...vendors.map((v) => w.byVendor[v] ?? 0),
        Object.values(w.byVendor).reduce((a, b) => a + b, 0),
      ]),
      ['left', ...vendors.map(() => 'right' as const), 'right'],
    ),
  );

  section(`Top drop-off zones, all time (${dropoffCount.name})`);
  lines.push(
    ...formatTable(
      ['#', 'rides', 'zone', 'borough', 'id'],
      s.topDropoffZones.map((z, i) => [i + 1, z.count, z.zone, z.borough, z.locationId]),
      ['right', 'right', 'left', 'left', 'right'],
    ),
  );
}
