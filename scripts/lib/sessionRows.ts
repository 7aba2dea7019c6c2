import type { SessionSpec } from '../../shared/engine/processors/index.js';
import type { ResultSource } from './readResults.js';
import { queryKeyRows, scanPipelineRows } from './readResults.js';
import type { ResultRow } from './resultRows.js';

/** What "longest" means for `query <session pipeline> --top N --by ...`. */
export type SessionOrder = 'count' | 'duration';

/** The orders `--by` accepts. */
export const SESSION_ORDERS: readonly SessionOrder[] = ['count', 'duration'];

/** A session's length in ms: its last record time minus its first (a one-record session is 0). */
export function sessionDurationMs(row: ResultRow): number {
  return (row.windowEndMs ?? 0) - (row.windowStartMs ?? 0);
}

/**
 * Orders sessions longest first: by count (trips in the streak), or by duration; ties by
 * the other measure, then key and start, so the order is total and the output stable.
 */
export function compareSessions(by: SessionOrder): (a: ResultRow, b: ResultRow) => number {
  return (a, b) => {
    const count = b.count - a.count;
    const duration = sessionDurationMs(b) - sessionDurationMs(a);
    return (
      (by === 'count' ? count || duration : duration || count) ||
      a.key.localeCompare(b.key, undefined, { numeric: true }) ||
      (a.windowStartMs ?? 0) - (b.windowStartMs ?? 0)
    );
  };
}

/**
 * The live sessions of a session pipeline (rows of merged-away sessions, kept as markers
 * until TTL, have no count and are left out), one key's or all, ordered by `by`.
 */
export async function readSessions(
  source: ResultSource,
  spec: SessionSpec,
  options: { key?: string; fromMs?: number; toMs?: number; by?: SessionOrder; top?: number } = {},
): Promise<ResultRow[]> {
  const rows =
    options.key === undefined
      ? await scanPipelineRows(source, spec.name)
      : await queryKeyRows(source, spec, options.key, {
          ...(options.fromMs === undefined ? {} : { fromMs: options.fromMs }),
          ...(options.toMs === undefined ? {} : { toMs: options.toMs }),
        });
  const live = rows.filter(
    (r) =>
      r.count > 0 &&
      (options.fromMs === undefined || (r.windowStartMs ?? 0) >= options.fromMs) &&
      (options.toMs === undefined || (r.windowStartMs ?? 0) < options.toMs),
  );
  live.sort(compareSessions(options.by ?? 'count'));
  return options.top === undefined ? live : live.slice(0, options.top);
}

/** 0 -> "0s", 754000 -> "12m34s", 3723000 -> "1h2m3s". */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${s}s`;
}
