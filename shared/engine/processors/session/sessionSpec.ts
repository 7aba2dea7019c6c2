import * as z from 'zod/mini';
import '../../zodLocale.js';
import { aggregationsSchema } from '../../aggregate/aggregationSpec.js';
import type { AggregationSpec } from '../../aggregate/index.js';
import {
  type BasePipelineSpec,
  basePipelineSchema,
  type KeySpec,
  keySpecSchema,
  type TimeSpec,
  timeSpecSchema,
} from '../../process/pipelineSpec.js';

/**
 * Session windows per key into the aggregates table: records of a key closer than the
 * inactivity gap form one session [first time, last time] (both inclusive); a record that
 * bridges two sessions merges them, and their aggregates combine.
 * @see Kafka Streams `SessionWindows.ofInactivityGapAndGrace` (`KStreamSessionWindowAggregate`)
 *   and ksqlDB `WINDOW SESSION`
 */
export interface SessionSpec extends BasePipelineSpec {
  readonly kind: 'session';
  readonly key: KeySpec;
  readonly time: TimeSpec;
  /** Records of a key at most this far apart belong to one session. */
  readonly gapMs: number;
  /**
   * How far behind its partition's stream time a record may be and still count: a record
   * at time t is late when t + gapMs + graceMs < stream time (see `isSessionRecordLate`).
   */
  readonly graceMs: number;
  /** `count` is always computed; list sums, mins and maxes here. */
  readonly aggregations: readonly AggregationSpec[];
  /**
   * How long a session row lives after the session ends, or after now when it ends later
   * in the past than that (DynamoDB TTL).
   * @default 30 days, as windowed aggregates
   */
  readonly retentionMs?: number;
}

/** Validates a session spec once at start-up, naming the field. */
export const sessionSchema = z.extend(basePipelineSchema, {
  kind: z.literal('session'),
  key: keySpecSchema,
  time: timeSpecSchema,
  gapMs: z.number().check(z.int(), z.positive()),
  graceMs: z.number().check(z.int(), z.gte(0)),
  aggregations: aggregationsSchema,
  retentionMs: z.optional(z.number().check(z.int(), z.positive())),
});
