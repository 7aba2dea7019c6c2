import * as z from 'zod/mini';
import '../zodLocale.js';

/**
 * One lookup of an enrich step: a stream-table join (Kafka Streams `KStream#leftJoin(KTable)`,
 * a ksqlDB stream-table join). The value's `keyField` is looked up in the rows a `table`
 * pipeline materialized, and the row (or the listed fields of it) is stored under `as`.
 *
 * Semantics as a KTable join: the table as it is when the record is processed, seen through
 * a per-container cache at most `maxStalenessMs` old. A record whose key field is missing,
 * or whose key has no row, gets `as: null` (left join) or becomes a dead letter
 * `NO_TABLE_ROW` (inner join), as `onMissing` says.
 */
export interface EnrichSpec {
  /** The name of the `table` pipeline whose rows are looked up. */
  readonly table: string;
  /** Field (or dotted path) of the value holding the row key, stringified (`PULocationID` 75 -> "75"). */
  readonly keyField: string;
  /** Field the row goes under: `pickup` gives `value.pickup = { Borough, Zone, ... }`. */
  readonly as: string;
  /** Only these fields of the row. @default every field */
  readonly fields?: readonly string[];
  /**
   * `null`: `as` is null (left join); `dead-letter`: the record is a dead letter (inner join).
   * @default 'null', as a left join keeps every record flowing when a reference row is late.
   */
  readonly onMissing?: 'null' | 'dead-letter';
  /**
   * How old a cached row (or a cached miss) may be before it is read again. The bound on how
   * stale an enrichment can be: a table update reaches records processed at most this long
   * after it was materialized.
   * @default 60_000, as reference data (zones) changes rarely and a minute keeps the table
   * reads to one BatchGetItem per key per minute per container.
   */
  readonly maxStalenessMs?: number;
}

export const enrichSpecSchema = z.object({
  table: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'the name of a table pipeline')),
  keyField: z.string().check(z.minLength(1)),
  as: z.string().check(z.minLength(1)),
  fields: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
  onMissing: z.optional(z.enum(['null', 'dead-letter'])),
  maxStalenessMs: z.optional(z.number().check(z.int(), z.gte(0))),
});
