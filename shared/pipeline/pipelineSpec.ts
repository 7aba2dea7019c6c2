import { z } from 'zod';
import type { AggregationSpec } from '../aggregate/index.js';
import type { WindowSpec } from '../windows/index.js';
import type { FilterSpec } from './filterSpec.js';

/** Where a record's group key comes from. */
export type KeySpec =
  /** A field of the decoded value, stringified (`PULocationID` 75 -> "75"). */
  | { readonly field: string }
  /** The Kafka record key, as UTF-8. */
  | { readonly kafkaKey: true }
  /** One key for every record: totals over all keys. */
  | { readonly constant: string };

/** Where a record's event time comes from. */
export type TimeSpec =
  /** A field of the decoded value holding epoch ms (the ride schemas parse datetimes to ms). */
  | { readonly field: string }
  /** The Kafka record timestamp (CREATE_TIME or LOG_APPEND_TIME). */
  | { readonly kafkaTimestamp: true };

/**
 * A pipeline: one windowed aggregation of one topic into the aggregates table. Plain data,
 * so handlers, the CLI, tests and the CDK app all read the same declaration.
 */
export interface PipelineSpec {
  /** Unique; prefixes every item the pipeline writes. Lower-case, digits and dashes. */
  readonly name: string;
  readonly description: string;
  /** Source topic. */
  readonly topic: string;
  /** Name of a codec in the codec registry (`ride-json`, `yellow-csv`, `green-csv`). */
  readonly codec: string;
  readonly filter?: FilterSpec;
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
}

/** A deployable handler: the pipelines it runs over one topic. */
export interface HandlerSpec {
  /** The function's folder under `functions/` and its name in the CDK app. */
  readonly name: string;
  readonly description: string;
  readonly topic: string;
  readonly pipelines: readonly PipelineSpec[];
}

/** The default TTL retention after a window's end. */
export const DEFAULT_RETENTION_MS = 30 * 24 * 3600 * 1000;

const positiveMs = z.number().int().positive();
const windowSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('tumbling'), sizeMs: positiveMs, graceMs: z.number().int().nonnegative() }),
  z
    .object({
      type: z.literal('hopping'),
      sizeMs: positiveMs,
      advanceMs: positiveMs,
      graceMs: z.number().int().nonnegative(),
    })
    .refine((w) => w.advanceMs <= w.sizeMs, 'advanceMs must not exceed sizeMs'),
  z.object({ type: z.literal('all-time') }),
]);

/** Validates a spec once at start-up, so a wrong spec fails fast and names the field. */
export const pipelineSpecSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes, at most 63'),
    description: z.string(),
    topic: z.string().min(1),
    codec: z.string().min(1),
    filter: z
      .array(
        z.object({
          field: z.string(),
          op: z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in']),
          value: z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))]),
        }),
      )
      .optional(),
    key: z.union([
      z.object({ field: z.string().min(1) }),
      z.object({ kafkaKey: z.literal(true) }),
      z.object({ constant: z.string().min(1) }),
    ]),
    time: z.union([z.object({ field: z.string().min(1) }), z.object({ kafkaTimestamp: z.literal(true) })]),
    window: windowSchema,
    aggregations: z.array(
      z.union([
        z.object({ op: z.literal('count') }),
        z.object({
          op: z.enum(['sum', 'min', 'max']),
          field: z.string().min(1),
          scale: z.number().int().min(0).max(9).optional(),
        }),
      ]),
    ),
    retentionMs: positiveMs.optional(),
  })
  .superRefine((spec, ctx) => {
    // TTL counts retention from the window's end; a window accepts records until stream time
    // reaches end + grace. Retention shorter than size + grace lets DynamoDB delete an item
    // that can still receive records, which would then restart it from zero.
    if (spec.window.type === 'all-time') return;
    const retentionMs = spec.retentionMs ?? DEFAULT_RETENTION_MS;
    const neededMs = spec.window.sizeMs + spec.window.graceMs;
    if (retentionMs < neededMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['retentionMs'],
        message: `retentionMs ${retentionMs}${spec.retentionMs === undefined ? ' (the default)' : ''} is shorter than the window size plus grace (sizeMs ${spec.window.sizeMs} + graceMs ${spec.window.graceMs} = ${neededMs}): items could expire while their window still accepts records`,
      });
    }
  });
