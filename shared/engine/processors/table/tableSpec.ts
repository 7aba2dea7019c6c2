import * as z from 'zod/mini';
import '../../zodLocale.js';
import { type BasePipelineSpec, basePipelineSchema } from '../../process/pipelineSpec.js';

/**
 * Materializes a (compacted) topic into DynamoDB: the latest value per Kafka key, deleted
 * by a tombstone (a null value), as a Kafka Streams KTable or a ksqlDB table. Enrich steps
 * of other pipelines read it.
 *
 * Within a partition the newer offset wins; between partitions (a key whose producer moved
 * it) the newer record timestamp wins. Every write is conditional on that order, so a
 * redelivered older record never overwrites a newer row, whatever the batch boundaries.
 */
export interface TableSpec extends BasePipelineSpec {
  readonly kind: 'table';
  /** Only these fields of each value. @default every field */
  readonly fields?: readonly string[];
  /**
   * How long a deleted key's marker is kept (it carries the offset that deleted the row, so
   * a redelivered older value cannot bring the row back).
   * @default 7 days, as the longest a Lambda retries a batch (on-demand record expiry is
   * at most 7 days; Kafka's own `delete.retention.ms` is 1 day)
   */
  readonly tombstoneRetentionMs?: number;
}

export const tableSchema = z
  .extend(basePipelineSchema, {
    kind: z.literal('table'),
    fields: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
    tombstoneRetentionMs: z.optional(z.number().check(z.int(), z.positive())),
  })
  .check(
    z.superRefine((spec, ctx) => {
      // A KTable keyed by the record key: a filter would turn rows into silent gaps and an
      // enrich step would make the table depend on another table's timing.
      if (spec.filter)
        ctx.addIssue({ code: 'custom', path: ['filter'], message: 'a table pipeline takes no filter' });
      if (spec.enrich)
        ctx.addIssue({ code: 'custom', path: ['enrich'], message: 'a table pipeline takes no enrich step' });
    }),
  );
