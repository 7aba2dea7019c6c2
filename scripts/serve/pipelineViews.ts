import type { DeadLetter, PipelineSpec } from '../../shared/engine/process/index.js';
import { type BufferEntry, type JoinPair, outerSides } from '../../shared/engine/processors/index.js';
import type { TableRow } from '../../shared/engine/store/index.js';
import { windowKind } from '../../shared/engine/windows/index.js';
import type { Zone } from '../../shared/rides/schemas/index.js';
import { averagesOf, type ResultRow } from '../lib/resultRows.js';
import { describeWindow } from '../lib/summaries.js';

/**
 * How the page shows a pipeline, chosen by its kind from one table ({@link PIPELINE_VIEWS}),
 * not by its name: a new pipeline of a known kind gets a section without page code, and a
 * new kind (sessions, joins) is one more entry here and one renderer on the page.
 */

/** One aggregate row as the page shows it: numbers only, plus a label for location keys. */
export interface ViewRow {
  readonly key: string;
  /** Zone name when the key is a taxi location id the lookup knows. */
  readonly label?: string;
  /** null: the all-time window. */
  readonly windowStartMs: number | null;
  readonly windowEndMs: number | null;
  readonly count: number;
  /** Stored aggregates (`sum_tip_amount`) and derived averages (`avg_tip_amount`), as numbers. */
  readonly values: Readonly<Record<string, number>>;
}

/** Totals of a windowed pipeline per window, over every key: the line the page draws. */
export interface WindowTotal {
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly count: number;
}

/** What the page draws for one pipeline; `type` picks the page's renderer. */
export type KindView =
  /** Windowed aggregates: count per window over time, and every row (for the key filter). */
  | { readonly type: 'series'; readonly totals: readonly WindowTotal[]; readonly rows: readonly ViewRow[] }
  /** All-time aggregates: keys ranked by count. */
  | { readonly type: 'ranking'; readonly rows: readonly ViewRow[] }
  /** A materialized table: the latest value per key. */
  | {
      readonly type: 'table';
      readonly fields: readonly string[];
      readonly rows: readonly { readonly key: string; readonly values: Readonly<Record<string, string>> }[];
    }
  /** A router writes topics, not tables: the page can only say where records go. */
  | { readonly type: 'routes'; readonly targets: readonly string[] };

/** A pipeline's section of the page. */
export interface PipelineView {
  readonly name: string;
  readonly kind: string;
  readonly description: string;
  /** `tumbling 5 min`, `all-time`, `table`, `route`. */
  readonly window: string;
  /** Rows in the store: aggregate items, or table rows; null for kinds that keep none (route). */
  readonly rows: number | null;
  /** Sum of counts (a hopping window counts a record once per window); null when not aggregated. */
  readonly counted: number | null;
  /** Late dead letters, one per (record, closed window). */
  readonly late: number;
  /** Invalid dead letters (undecodable, schema, tombstone). */
  readonly rejected: number;
  readonly view: KindView;
}

/** What a kind's description reads: everything the store holds for the pipeline. */
export interface PipelineData {
  readonly aggregates: readonly ResultRow[];
  readonly tableRows: readonly TableRow[];
  /** Pairs of a join pipeline, by key and time. @default none */
  readonly joinPairs?: readonly JoinPair[];
  /** Unmatched records of a left or outer join, by key and time. @default none */
  readonly joinUnmatched?: readonly BufferEntry[];
  readonly zones: ReadonlyMap<number, Zone>;
}

type ViewOf<S extends PipelineSpec> = (spec: S, data: PipelineData) => KindView;

const numeric = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

/** Location ids name zones, as `query` does: only for keys read from a `...LocationID` field. */
function labelerFor(
  spec: PipelineSpec,
  zones: ReadonlyMap<number, Zone>,
): (key: string) => string | undefined {
  const key = 'key' in spec ? spec.key : undefined;
  const byLocation = key !== undefined && 'field' in key && key.field.endsWith('LocationID');
  return byLocation ? (key) => zones.get(Number(key))?.zone : () => undefined;
}

/** A stored row as numbers: aggregates are exact decimal strings in the store. */
export function viewRow(row: ResultRow, label?: (key: string) => string | undefined): ViewRow {
  const values: Record<string, number> = {};
  for (const [name, value] of Object.entries(row.aggregates)) values[name] = Number(value);
  Object.assign(values, averagesOf(row));
  const name = label?.(row.key);
  return {
    key: row.key,
    ...(name === undefined ? {} : { label: name }),
    windowStartMs: row.windowStartMs,
    windowEndMs: row.windowEndMs,
    count: row.count,
    values,
  };
}

/** Counts summed per window, in time order. */
export function windowTotals(rows: readonly ResultRow[]): WindowTotal[] {
  const byStart = new Map<number, { windowStartMs: number; windowEndMs: number; count: number }>();
  for (const r of rows) {
    if (r.windowStartMs === null) continue;
    const t = byStart.get(r.windowStartMs);
    if (t) t.count += r.count;
    else
      byStart.set(r.windowStartMs, {
        windowStartMs: r.windowStartMs,
        windowEndMs: r.windowEndMs!,
        count: r.count,
      });
  }
  return [...byStart.values()].sort((a, b) => a.windowStartMs - b.windowStartMs);
}

const windowedView: ViewOf<Extract<PipelineSpec, { kind: 'windowed-aggregate' }>> = (spec, data) => {
  const label = labelerFor(spec, data.zones);
  const allTime = windowKind(spec.window).stepMs(spec.window) === undefined;
  // Largest first, ties by key then window: the order `query --top` and the start summary use.
  const rows = [...data.aggregates]
    .sort(
      (a, b) => b.count - a.count || numeric(a.key, b.key) || (a.windowStartMs ?? 0) - (b.windowStartMs ?? 0),
    )
    .map((r) => viewRow(r, label));
  return allTime
    ? { type: 'ranking', rows }
    : { type: 'series', totals: windowTotals(data.aggregates), rows };
};

const tableView: ViewOf<Extract<PipelineSpec, { kind: 'table' }>> = (_spec, data) => {
  const fields = [...new Set(data.tableRows.flatMap((r) => Object.keys(r.value)))];
  return {
    type: 'table',
    fields,
    rows: [...data.tableRows]
      .sort((a, b) => numeric(a.key, b.key))
      .map((r) => ({
        key: r.key,
        values: Object.fromEntries(fields.map((f) => [f, cellText(r.value[f])])),
      })),
  };
};

const sessionView: ViewOf<Extract<PipelineSpec, { kind: 'session' }>> = (spec, data) => {
  const label = labelerFor(spec, data.zones);
  // Live sessions only (merged-away rows are count-less markers), most records first.
  const rows = data.aggregates
    .filter((r) => r.count > 0)
    .sort(
      (a, b) =>
        b.count - a.count ||
        (b.windowEndMs ?? 0) - (b.windowStartMs ?? 0) - ((a.windowEndMs ?? 0) - (a.windowStartMs ?? 0)) ||
        numeric(a.key, b.key),
    )
    .map((r) => viewRow(r, label));
  return { type: 'ranking', rows };
};

const routeView: ViewOf<Extract<PipelineSpec, { kind: 'route' }>> = (spec) => ({
  type: 'routes',
  targets: [...new Set(spec.routes.map((r) => r.to))],
});

/**
 * A join's pairs as a table: one row per pair (its key and time first), the selected fields
 * after. A left or outer join adds its unmatched records, by key and time among the pairs,
 * with a `match` column (`pair`, `unmatched left`, `unmatched right`) and the other side's
 * fields empty, as a left join's `(record, null)` reads; an inner join's table is unchanged.
 */
const joinView: ViewOf<Extract<PipelineSpec, { kind: 'join' }>> = (spec, data) => {
  const outer = outerSides(spec).length > 0;
  const rows = [
    ...(data.joinPairs ?? []).map((p) => ({
      key: p.key,
      timeMs: p.timeMs,
      match: 'pair',
      value: p.value,
    })),
    ...(outer ? (data.joinUnmatched ?? []) : []).map((u) => ({
      key: u.key,
      timeMs: u.timeMs,
      match: `unmatched ${u.side}`,
      value: unmatchedValue(spec, u),
    })),
  ].sort((a, b) => numeric(a.key, b.key) || a.timeMs - b.timeMs); // stable: pairs keep the scan's order
  const valueFields = [...new Set(rows.flatMap((r) => Object.keys(r.value)))];
  const fields = ['time', ...(outer ? ['match'] : []), ...valueFields];
  return {
    type: 'table',
    fields,
    rows: rows.map((r) => ({
      key: r.key,
      values: Object.fromEntries(
        fields.map((f) => [
          f,
          f === 'time' ? new Date(r.timeMs).toISOString() : f === 'match' ? r.match : cellText(r.value[f]),
        ]),
      ),
    })),
  };
};

/**
 * An unmatched record in the columns of its join's pairs: the `select` entries of its side
 * (under their `as` names), or its side's whole value under `left`/`right` when the join has
 * no `select`; the other side's columns stay empty.
 */
function unmatchedValue(
  spec: Extract<PipelineSpec, { kind: 'join' }>,
  entry: BufferEntry,
): Record<string, unknown> {
  if (!spec.select) return { [entry.side]: entry.value };
  return Object.fromEntries(
    spec.select
      .filter((s) => s.side === entry.side)
      .map((s) => [s.as ?? s.field, entry.value[s.field] ?? null]),
  );
}

/** One description per pipeline kind; a kind missing here fails the type check, not the page. */
export const PIPELINE_VIEWS: {
  readonly [K in PipelineSpec['kind']]: ViewOf<Extract<PipelineSpec, { kind: K }>>;
} = {
  'windowed-aggregate': windowedView,
  table: tableView,
  route: routeView,
  join: joinView,
  session: sessionView,
};

/** A pipeline's section: its kind's view plus the counts every kind has. */
export function pipelineView(
  spec: PipelineSpec,
  data: PipelineData,
  deadLetters: readonly DeadLetter[],
): PipelineView {
  const view = (PIPELINE_VIEWS[spec.kind] as ViewOf<PipelineSpec>)(spec, data);
  const own = deadLetters.filter((d) => d.pipeline === spec.name);
  const aggregated = spec.kind === 'windowed-aggregate' || spec.kind === 'session';
  // Session rows include count-less markers of merged-away sessions: only live ones count.
  const liveRows = spec.kind === 'session' ? data.aggregates.filter((r) => r.count > 0) : data.aggregates;
  return {
    name: spec.name,
    kind: spec.kind,
    description: spec.description,
    window: describeWindow(spec),
    rows: aggregated
      ? liveRows.length
      : spec.kind === 'table'
        ? data.tableRows.length
        : spec.kind === 'join'
          ? (data.joinPairs ?? []).length + (data.joinUnmatched ?? []).length
          : null,
    counted: aggregated ? liveRows.reduce((n, r) => n + r.count, 0) : null,
    late: own.filter((d) => d.kind === 'late').length,
    rejected: own.filter((d) => d.kind === 'invalid').length,
    view,
  };
}

function cellText(v: unknown): string {
  return v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}
