import * as z from 'zod/mini';
import '../zodLocale.js';
import { type EnrichSpec, enrichSpecSchema } from '../enrich/enrichSpec.js';
import type { JoinSpec } from '../processors/join/joinSpec.js';
import type { RouteSpec } from '../processors/route/routeSpec.js';
import type { SessionSpec } from '../processors/session/sessionSpec.js';
import type { TableSpec } from '../processors/table/tableSpec.js';
import type { WindowedAggregateSpec } from '../processors/windowedAggregate/windowedAggregateSpec.js';
import type { FilterSpec } from './filterSpec.js';

/** Where a record's group key comes from. */
export type KeySpec =
  /**
   * A field of the decoded value, stringified (`PULocationID` 75 -> "75"); a dotted path
   * reads a nested field (`address.state`).
   */
  | { readonly field: string }
  /**
   * Several fields (or dotted paths), each stringified and joined with `|` in the listed
   * order: the composite key of a (PULocationID, DOLocationID) pair is "75|236". A field
   * whose value contains `|` is rejected (BAD_KEY), so two pairs never share a key.
   */
  | { readonly fields: readonly string[] }
  /** The Kafka record key, as UTF-8. */
  | { readonly kafkaKey: true }
  /** One key for every record: totals over all keys. */
  | { readonly constant: string };

/** Where a record's event time comes from. */
export type TimeSpec =
  /**
   * A field (or dotted path) of the decoded value holding epoch ms (the ride schemas parse
   * datetimes to ms).
   */
  | { readonly field: string }
  /** The Kafka record timestamp (CREATE_TIME or LOG_APPEND_TIME). */
  | { readonly kafkaTimestamp: true };

/**
 * What every pipeline spec has, whatever its kind. Plain data, so handlers, the CLI, tests
 * and the CDK app all read the same declaration.
 */
export interface BasePipelineSpec {
  /** Which processor runs it (see `PROCESSORS` in `engine/processors`). */
  readonly kind: string;
  /** Unique; prefixes every item the pipeline writes. Lower-case, digits and dashes. */
  readonly name: string;
  readonly description: string;
  /** Source topic. */
  readonly topic: string;
  /** Name of a codec in the codec registry (`json`, or a domain's, such as `ride-json`). */
  readonly codec: string;
  /**
   * Records that fail it are skipped (counted as filtered, not dead letters). It reads the
   * decoded value before any enrichment, so the CDK app can push it down into the mapping.
   */
  readonly filter?: FilterSpec;
  /** Lookups in `table` pipelines' rows, in order, after the filter (see {@link EnrichSpec}). */
  readonly enrich?: readonly EnrichSpec[];
}

/** A pipeline of any kind the engine has a processor for. */
export type PipelineSpec = WindowedAggregateSpec | RouteSpec | TableSpec | JoinSpec | SessionSpec;

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

/** A {@link FilterSpec}, validated. */
export const filterSchema = z.array(
  z.object({
    field: z.string(),
    op: z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in']),
    value: z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))]),
  }),
);

/** Fields of {@link BasePipelineSpec}, validated once at start-up; each kind extends it. */
export const basePipelineSchema = z.object({
  name: z
    .string()
    .check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes, at most 63')),
  description: z.string(),
  topic: z.string().check(z.minLength(1)),
  codec: z.string().check(z.minLength(1)),
  filter: z.optional(filterSchema),
  enrich: z.optional(z.array(enrichSpecSchema)),
});

/** Where a record's group key comes from, validated. */
export const keySpecSchema = z.union([
  z.object({ field: z.string().check(z.minLength(1)) }),
  z.object({ fields: z.array(z.string().check(z.minLength(1))).check(z.minLength(2)) }),
  z.object({ kafkaKey: z.literal(true) }),
  z.object({ constant: z.string().check(z.minLength(1)) }),
]);

/** Where a record's event time comes from, validated. */
export const timeSpecSchema = z.union([
  z.object({ field: z.string().check(z.minLength(1)) }),
  z.object({ kafkaTimestamp: z.literal(true) }),
]);
