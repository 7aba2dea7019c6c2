import * as z from 'zod/mini';
import '../../zodLocale.js';
import type { FilterSpec } from '../../process/filterSpec.js';
import {
  type BasePipelineSpec,
  basePipelineSchema,
  filterSchema,
  type KeySpec,
  keySpecSchema,
} from '../../process/pipelineSpec.js';

/** One branch of a route: where records that pass `when` go. */
export interface Route {
  /** Output topic. */
  readonly to: string;
  /** Conditions on the (enriched) value; all must hold. @default none: every record matches */
  readonly when?: FilterSpec;
  /**
   * Only these fields (dotted paths allowed) of the (enriched) value, as JSON.
   * @default the whole value: the source bytes unchanged when nothing was enriched, else the
   * enriched value as JSON
   */
  readonly fields?: readonly string[];
}

/**
 * Sends each record to the first route whose `when` it passes, or to none (filtering):
 * the course's Faust `branch_price` (rides with `total_amount >= 40.0` to a high-amount
 * topic, the rest to a low-amount one), a Kafka Streams `split().branch(...)`, or, with one
 * route and an enrich step, a stream-table join written to a topic.
 *
 * Output is at-least-once with identifiable duplicates: every record carries the
 * `kls-source` header (pipeline, source topic, partition, offset) and a key that is a
 * function of the source record.
 */
export interface RouteSpec extends BasePipelineSpec {
  readonly kind: 'route';
  /** Tried in order; the first match wins. */
  readonly routes: readonly Route[];
  /** The output records' key. @default the source record's Kafka key, unchanged */
  readonly key?: KeySpec;
  /** `drop` sends only the `kls-source` header. @default 'keep' (Kafka Streams keeps headers too) */
  readonly headers?: 'keep' | 'drop';
}

export const routeSchema = z.extend(basePipelineSchema, {
  kind: z.literal('route'),
  routes: z
    .array(
      z.object({
        to: z.string().check(z.regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a Kafka topic name')),
        when: z.optional(filterSchema),
        fields: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
      }),
    )
    .check(z.minLength(1, 'a route pipeline needs at least one route')),
  key: z.optional(keySpecSchema),
  headers: z.optional(z.enum(['keep', 'drop'])),
});
