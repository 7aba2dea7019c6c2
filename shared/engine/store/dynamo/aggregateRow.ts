import { readDecimal, readNumber } from './dynamoClient.js';

/** One aggregates-table item as readers see it: plain numbers, exact decimals as strings. */
export interface AggregateRow {
  readonly pipeline: string;
  readonly key: string;
  /** null for the all-time mode. */
  readonly windowStartMs: number | null;
  readonly windowEndMs: number | null;
  readonly count: number;
  /** `sum_*`, `min_*`, `max_*` attributes as exact decimal strings (as DynamoDB holds them). */
  readonly aggregates: Readonly<Record<string, string>>;
  /**
   * When the window's final result was emitted (final-results pipelines, see engine/final);
   * absent while it can still change, and on pipelines without final results.
   */
  readonly finalAtMs?: number;
}

const AGGREGATE_ATTRIBUTE = /^(sum|min|max)_/;

/**
 * Reads an aggregates-table item (numbers wrapped, see createDocumentClient), leaving out
 * the exactly-once bookkeeping (`hw:*`, `v`) and the index attributes.
 */
export function rowFromItem(item: Record<string, unknown>): AggregateRow {
  const aggregates: Record<string, string> = {};
  for (const [k, v] of Object.entries(item)) {
    if (AGGREGATE_ATTRIBUTE.test(k)) aggregates[k] = readDecimal(v) ?? '';
  }
  const finalAtMs = readNumber(item.finalAt);
  return {
    pipeline: String(item.pipeline),
    key: String(item.key),
    windowStartMs: readNumber(item.windowStart) ?? null,
    windowEndMs: readNumber(item.windowEnd) ?? null,
    count: readNumber(item.count) ?? 0,
    aggregates,
    ...(finalAtMs === undefined ? {} : { finalAtMs }),
  };
}
