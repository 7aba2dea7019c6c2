import type { KindView, PipelineView, ViewRow } from '../scripts/serve/pipelineViews.js';
import { barList, dataTable, el, figure } from './dom.js';
import { iso, matches, windowLabel } from './format.js';
import { timeChart } from './timeChart.js';
import { COLORS, type ViewState } from './view.js';

/** Rows listed per pipeline; the rest are one `query` away. */
const MAX_ROWS = 50;

/** The counts every pipeline has, from the tables: one row per pipeline. */
export function pipelineCounts(pipelines: readonly PipelineView[]): HTMLElement {
  const dash = (n: number | null) => (n === null ? '–' : n);
  return el(
    'section',
    { id: 'pipelines', 'aria-labelledby': 'pipelines-title' },
    el('h2', { id: 'pipelines-title' }, 'Per pipeline, from the tables'),
    dataTable(
      'pipeline-counts',
      'Aggregated, late and rejected records per pipeline',
      [
        { id: 'pipeline', label: 'pipeline' },
        { id: 'kind', label: 'kind' },
        { id: 'window', label: 'window' },
        { id: 'rows', label: 'rows', numeric: true },
        { id: 'counted', label: 'counted', numeric: true },
        { id: 'late', label: 'late', numeric: true },
        { id: 'rejected', label: 'rejected', numeric: true },
      ],
      pipelines.map((p) => ({
        attrs: { 'data-key': p.name },
        cells: {
          pipeline: p.name,
          kind: p.kind,
          window: p.window,
          rows: dash(p.rows),
          counted: dash(p.counted),
          late: p.late,
          rejected: p.rejected,
        },
      })),
    ),
    el(
      'p',
      { class: 'note' },
      'counted = sum of counts (a hopping window counts a record once per window it falls in); late = records whose window had closed, one per (record, window); rejected = invalid records.',
    ),
  );
}

type Renderer<T extends KindView['type']> = (
  p: PipelineView,
  view: Extract<KindView, { type: T }>,
  state: ViewState,
) => HTMLElement;

/** In the picked window: its rows, or every row when all windows are picked. */
function inWindow(r: ViewRow, windowMs: number | 'all'): boolean {
  return (
    windowMs === 'all' ||
    r.windowStartMs === null ||
    (r.windowStartMs <= windowMs && windowMs < (r.windowEndMs ?? 0))
  );
}

function rowsTable(p: PipelineView, rows: readonly ViewRow[]): HTMLTableElement {
  const valueNames = [...new Set(rows.flatMap((r) => Object.keys(r.values)))].sort();
  const labelled = rows.some((r) => r.label !== undefined);
  const windowed = rows.some((r) => r.windowStartMs !== null);
  return dataTable(
    `rows-${p.name}`,
    `${p.name}: rows by count${rows.length === MAX_ROWS ? ` (the first ${MAX_ROWS})` : ''}`,
    [
      { id: 'key', label: 'key' },
      ...(labelled ? [{ id: 'label', label: 'zone' }] : []),
      ...(windowed ? [{ id: 'window', label: 'window (UTC)' }] : []),
      { id: 'count', label: 'count', numeric: true },
      ...valueNames.map((v) => ({ id: v, label: v, numeric: true })),
    ],
    rows.map((r) => ({
      attrs: {
        'data-key': r.key,
        ...(r.windowStartMs === null ? {} : { 'data-window-start': iso(r.windowStartMs) }),
      },
      cells: {
        key: r.key,
        label: r.label ?? '',
        window:
          r.windowStartMs === null
            ? 'all time'
            : windowLabel(r.windowStartMs, r.windowEndMs ?? r.windowStartMs),
        count: r.count,
        ...Object.fromEntries(
          Object.entries(r.values).map(([k, v]) => [
            k,
            { value: v, text: Number.isInteger(v) ? String(v) : v.toFixed(2) },
          ]),
        ),
      },
    })),
  );
}

const keyed = (rows: readonly ViewRow[], state: ViewState) =>
  rows
    .filter((r) => matches(state.keyFilter, r.key, r.label) && inWindow(r, state.windowMs))
    .slice(0, MAX_ROWS);

/** One renderer per view type; the server picks the view type from the pipeline's kind. */
const RENDERERS: { readonly [T in KindView['type']]: Renderer<T> } = {
  series: (p, view, state) => {
    const host = el('div', {
      class: 'chart',
      role: 'img',
      'aria-label': 'chart; its numbers are in the table below',
    });
    requestAnimationFrame(() => {
      if (host.isConnected)
        timeChart(
          host,
          view.totals.map((t) => t.windowStartMs),
          [
            {
              label: 'count, all keys',
              values: view.totals.map((t) => t.count),
              color: COLORS[2],
              bars: true,
            },
          ],
        );
    });
    return figure(
      `pipeline-${p.name}`,
      `${p.name} (${p.window})`,
      host,
      rowsTable(p, keyed(view.rows, state)),
      p.description,
    );
  },
  ranking: (p, view, state) => {
    const rows = keyed(view.rows, state);
    return figure(
      `pipeline-${p.name}`,
      `${p.name} (${p.window})`,
      barList(
        rows.slice(0, 10).map((r) => ({ label: r.label ? `${r.label} (${r.key})` : r.key, value: r.count })),
      ),
      rowsTable(p, rows),
      p.description,
    );
  },
  table: (p, view, state) => {
    const rows = view.rows
      .filter((r) => matches(state.keyFilter, r.key, ...Object.values(r.values)))
      .slice(0, MAX_ROWS);
    // Joins are drawn as tables too; their rows are pairs (and unmatched records), not latest values.
    const rowsAre = p.kind === 'join' ? 'pairs by key and time' : 'latest value per key';
    return el(
      'section',
      { id: `pipeline-${p.name}` },
      el('h2', {}, `${p.name} (${p.kind === 'join' ? 'join' : 'table'}: ${rowsAre})`),
      el('p', { class: 'note' }, `${p.description}; ${view.rows.length} rows`),
      el(
        'details',
        {},
        el('summary', {}, 'Rows'),
        dataTable(
          `rows-${p.name}`,
          `${p.name}: ${rowsAre}`,
          [{ id: 'key', label: 'key' }, ...view.fields.map((f) => ({ id: f, label: f }))],
          rows.map((r) => ({ attrs: { 'data-key': r.key }, cells: { key: r.key, ...r.values } })),
        ),
      ),
    );
  },
  routes: (p, view) =>
    el(
      'section',
      { id: `pipeline-${p.name}` },
      el('h2', {}, `${p.name} (route)`),
      el(
        'p',
        { class: 'note' },
        `${p.description}. Writes to the topics ${view.targets.join(', ')}, not to a table: read them with \`consume\` (or topics/*.jsonl after a replay).`,
      ),
    ),
};

/** A pipeline's section, drawn by its view type. */
export function pipelineSection(p: PipelineView, state: ViewState): HTMLElement {
  return (RENDERERS[p.view.type] as Renderer<KindView['type']>)(p, p.view, state);
}
