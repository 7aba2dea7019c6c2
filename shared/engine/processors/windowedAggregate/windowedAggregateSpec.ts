import * as z from 'zod/mini';
import '../../zodLocale.js';
import { aggregationsSchema } from '../../aggregate/aggregationSpec.js';
import type { AggregationSpec } from '../../aggregate/index.js';
import { type FinalResultsSpec, finalResultsSchema } from '../../final/finalResultsSpec.js';
import {
  type BasePipelineSpec,
  basePipelineSchema,
  DEFAULT_RETENTION_MS,
  type KeySpec,
  keySpecSchema,
  type TimeSpec,
  timeSpecSchema,
} from '../../process/pipelineSpec.js';
import { type WindowSpec, windowKind, windowSpecSchema } from '../../windows/index.js';

/**
 * A windowed aggregation of one topic into the aggregates table: per key and window, count
 * and the listed sums, mins and maxes.
 * @see Kafka Streams `groupBy(...).windowedBy(...).aggregate(...)` (`KStreamWindowAggregate`)
 */
export interface WindowedAggregateSpec extends BasePipelineSpec {
  readonly kind: 'windowed-aggregate';
  readonly key: KeySpec;
  readonly time: TimeSpec;
  readonly window: WindowSpec;
  /** `count` is always computed; list sums, mins and maxes here. */
  readonly aggregations: readonly AggregationSpec[];
  /**
   * How long items live after their window ends (DynamoDB TTL). All-time items never expire.
   * @default 30 days
   */
  readonly retentionMs?: number;
  /**
   * Emit each window's final result once it can no longer change (see engine/final).
   * @default undefined: no final results; the table holds running values only
   */
  readonly final?: FinalResultsSpec;
}

/** Validates a windowed-aggregate spec once at start-up, so a wrong spec fails fast and names the field. */
export const windowedAggregateSchema = z
  .extend(basePipelineSchema, {
    kind: z.literal('windowed-aggregate'),
    key: keySpecSchema,
    time: timeSpecSchema,
    window: windowSpecSchema,
    aggregations: aggregationsSchema,
    retentionMs: z.optional(z.number().check(z.int(), z.positive())),
    final: z.optional(finalResultsSchema),
  })
  .check(
    z.superRefine((spec, ctx) => {
      // TTL counts retention from max(window end, now); a window accepts records until stream
      // time reaches end + grace, so retention >= grace would do when stream time follows the
      // wall clock. Asking for size + grace is deliberately stricter: it also covers stream time
      // running ahead of the wall clock by up to a window (clock skew between producers), at the
      // cost of rejecting retentions shorter than one window (a 31-day window with the default).
      const kind = windowKind(spec.window);
      const sizeMs = kind.sizeMs(spec.window);
      if (spec.final && !Number.isFinite(sizeMs)) {
        ctx.addIssue({
          code: 'custom',
          path: ['final'],
          message: 'an all-time window never closes: it has no final result',
        });
      }
      if (spec.final && (spec.final.topic ?? `${spec.name}-final`) === spec.topic) {
        ctx.addIssue({
          code: 'custom',
          path: ['final', 'topic'],
          message: `${spec.topic} is the pipeline's own source topic (a loop)`,
        });
      }
      if (!Number.isFinite(sizeMs)) return;
      const graceMs = kind.graceMs(spec.window);
      const retentionMs = spec.retentionMs ?? DEFAULT_RETENTION_MS;
      const neededMs = sizeMs + graceMs;
      if (retentionMs < neededMs) {
        ctx.addIssue({
          code: 'custom',
          path: ['retentionMs'],
          message: `retentionMs ${retentionMs}${spec.retentionMs === undefined ? ' (the default)' : ''} is shorter than the window size plus grace (sizeMs ${sizeMs} + graceMs ${graceMs} = ${neededMs}): items could expire while their window still accepts records`,
        });
      }
    }),
  );
