import { ConfigError } from '../../shared/engine/errors/index.js';
import type { PipelineSpec } from '../../shared/engine/process/index.js';
import { type AggregateRow, rowFromItem } from '../../shared/engine/store/dynamo/index.js';

/** One aggregate item as the CLI shows it (the store's row type, under the CLI's name). */
export type ResultRow = AggregateRow;
export { rowFromItem };

/** `avg_<field>` = `sum_<field>` / count for every sum: averages are derived on read, never stored. */
export function averagesOf(row: ResultRow): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(row.aggregates)) {
    if (name.startsWith('sum_') && row.count > 0) out[`avg_${name.slice(4)}`] = Number(value) / row.count;
  }
  return out;
}

/**
 * The `--json` shape of a row: times as ISO-8601 UTC (null in the all-time mode), aggregates
 * as numbers, plus derived averages.
 */
export function rowToJson(row: ResultRow): Record<string, unknown> {
  const json: Record<string, unknown> = {
    pipeline: row.pipeline,
    key: row.key,
    windowStart: row.windowStartMs === null ? null : new Date(row.windowStartMs).toISOString(),
    windowEnd: row.windowEndMs === null ? null : new Date(row.windowEndMs).toISOString(),
    count: row.count,
  };
  for (const [name, value] of Object.entries(row.aggregates)) json[name] = Number(value);
  // Only on final-results pipelines' closed windows: other rows keep their shape.
  const final = row.finalAtMs === undefined ? {} : { finalAt: new Date(row.finalAtMs).toISOString() };
  return { ...json, ...averagesOf(row), ...final };
}

/** Orders rows by key (numerically when keys are numbers), then window start. */
export function compareByKeyThenWindow(a: ResultRow, b: ResultRow): number {
  return (
    a.key.localeCompare(b.key, undefined, { numeric: true }) ||
    (a.windowStartMs ?? 0) - (b.windowStartMs ?? 0)
  );
}

/** Orders rows by count, largest first, ties by key. */
export function compareByCountDesc(a: ResultRow, b: ResultRow): number {
  return b.count - a.count || a.key.localeCompare(b.key, undefined, { numeric: true });
}

/** A pipeline spec by name; the error lists the known names. */
export function pipelineByName(name: string, pipelines: readonly PipelineSpec[]): PipelineSpec {
  const spec = pipelines.find((p) => p.name === name);
  if (!spec) {
    throw new ConfigError(
      `unknown pipeline "${name}"; known pipelines: ${pipelines.map((p) => p.name).join(', ')}`,
    );
  }
  return spec;
}
