import * as z from 'zod/mini';
import '../zodLocale.js';

/**
 * What to compute per (key, window). Every pipeline counts records; `sum`, `min` and `max`
 * read a numeric field. Averages are derived (sum / count) when read, never stored, so they
 * stay exact under re-aggregation.
 */
export type AggregationSpec =
  | { readonly op: 'sum' | 'min' | 'max'; readonly field: string; readonly scale?: number }
  | { readonly op: 'count' };

/** Validates a pipeline's `aggregations` (windowed aggregates and sessions share them). */
export const aggregationsSchema = z.array(
  z.union([
    z.object({ op: z.literal('count') }),
    z.object({
      op: z.enum(['sum', 'min', 'max']),
      field: z.string().check(z.minLength(1)),
      scale: z.optional(z.number().check(z.int(), z.gte(0), z.lte(9))),
    }),
  ]),
);

/**
 * Default number of decimals kept for sum/min/max: cents. Values are held as integers of
 * 10^-scale units so sums are exact and independent of batch boundaries and order (floating
 * point addition is not associative; replays with other batch boundaries must give
 * identical tables).
 */
export const DEFAULT_SCALE = 2;

/** The stored attribute name of an aggregation: `count`, `sum_tip_amount`, `max_fare_amount`. */
export function attributeName(spec: AggregationSpec): string {
  return spec.op === 'count' ? 'count' : `${spec.op}_${spec.field}`;
}

/** Aggregations that DynamoDB can apply with an atomic `ADD` (no read needed). */
export function isAdditive(spec: AggregationSpec): boolean {
  return spec.op === 'count' || spec.op === 'sum';
}
