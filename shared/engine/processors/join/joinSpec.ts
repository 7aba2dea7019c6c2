import * as z from 'zod/mini';
import '../../zodLocale.js';
import {
  type BasePipelineSpec,
  basePipelineSchema,
  type KeySpec,
  keySpecSchema,
  type TimeSpec,
  timeSpecSchema,
} from '../../process/pipelineSpec.js';

/** The two inputs of a join. */
export type JoinSide = 'left' | 'right';

/** One input of a join: a topic, how to decode it, and its records' key and event time. */
export interface JoinSideSpec {
  readonly topic: string;
  /** Name of a codec in the codec registry. */
  readonly codec: string;
  /** The join key: records of both sides with equal keys may pair. */
  readonly key: KeySpec;
  readonly time: TimeSpec;
  /**
   * Only these fields of each value are buffered and offered to `select` (a buffer entry is a
   * DynamoDB item: whole values would cost write units and risk the 400 KB limit).
   * @default every field
   */
  readonly fields?: readonly string[];
}

/**
 * What a join outputs besides its pairs: `inner` nothing; `left` each left record that never
 * pairs, once no partner can arrive any more; `outer` that for both sides (Kafka Streams'
 * `join`, `leftJoin`, `outerJoin`).
 */
export type JoinType = 'inner' | 'left' | 'outer';

/** One field of a pair's value: a field of one side, under a name. */
export interface JoinSelect {
  readonly side: JoinSide;
  readonly field: string;
  /** @default the field's name */
  readonly as?: string;
}

/**
 * A windowed inner stream-stream join, as Kafka Streams'
 * `left.join(right, joiner, JoinWindows.ofTimeDifferenceAndGrace(windowMs, graceMs))`:
 * a left and a right record with the same key pair when their event times differ by at most
 * `windowMs`. Each record waits in a DynamoDB buffer for partners; a record whose window
 * closed before it arrived (t + windowMs + graceMs < its partition's stream time) is a late
 * dead letter, as Kafka Streams drops it.
 *
 * A Kafka event-source mapping reads one topic, so a join runs in two handlers, one per side:
 * each holds a copy of this spec whose base `topic` and `codec` name the side it reads
 * ({@link joinSideCopy}); both copies share the name, and so the buffers and pairs.
 *
 * Each pair is stored once in the join's pairs (state table) whatever the delivery, with an
 * identity made of both records' coordinates. Left and outer joins also store each record of
 * their outer side(s) that never paired, once, after every partition of the other topic has
 * passed the point where a partner could still be accepted (see `closeUnmatched`).
 */
export interface JoinSpec extends BasePipelineSpec {
  readonly kind: 'join';
  readonly left: JoinSideSpec;
  readonly right: JoinSideSpec;
  /** Largest |t(left) - t(right)| of a pair, both ways (`JoinWindows.ofTimeDifference...`). */
  readonly windowMs: number;
  /** How long after a window's end its records are still accepted (`...AndGrace`). */
  readonly graceMs: number;
  /**
   * A narrower condition on the pair, as the course's joiner returns `Optional.empty()` when
   * |dropoff - pickup| > 10 minutes and the stream filters those out.
   * @default windowMs (every pair the window gives)
   */
  readonly maxTimeDifferenceMs?: number;
  /**
   * The pair's value. @default every buffered field, as `{ left: {...}, right: {...} }`
   */
  readonly select?: readonly JoinSelect[];
  /** @default 'inner' */
  readonly type?: JoinType;
  /**
   * Partitions of each side's topic. A left or outer join needs them: a record is unmatched
   * for good only once *every* partition of the other topic has a checkpoint past its window,
   * and a partition not yet seen has none. Must equal the topics' partition counts (too few
   * would close windows before the missing partitions passed them).
   */
  readonly partitions?: { readonly left: number; readonly right: number };
  /**
   * How long (wall clock) a buffered record is kept for partners before TTL may delete it.
   * @default 7 days, as the longest a Lambda retries a batch: the other side may lag that long
   */
  readonly bufferRetentionMs?: number;
  /**
   * How long a pair is kept (TTL) after the later of its time and its write.
   * @default 30 days (DEFAULT_RETENTION_MS, as the aggregates)
   */
  readonly retentionMs?: number;
}

/** @see JoinSpec.bufferRetentionMs */
export const DEFAULT_BUFFER_RETENTION_MS = 7 * 24 * 3600 * 1000;

const sideSchema = z.object({
  topic: z.string().check(z.regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a Kafka topic name')),
  codec: z.string().check(z.minLength(1)),
  key: keySpecSchema,
  time: timeSpecSchema,
  fields: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
});

export const joinSchema = z
  .extend(basePipelineSchema, {
    kind: z.literal('join'),
    left: sideSchema,
    right: sideSchema,
    windowMs: z.number().check(z.int(), z.nonnegative()),
    graceMs: z.number().check(z.int(), z.nonnegative()),
    maxTimeDifferenceMs: z.optional(z.number().check(z.int(), z.nonnegative())),
    select: z.optional(
      z
        .array(
          z.object({
            side: z.enum(['left', 'right']),
            field: z.string().check(z.minLength(1)),
            as: z.optional(z.string().check(z.minLength(1))),
          }),
        )
        .check(z.minLength(1)),
    ),
    bufferRetentionMs: z.optional(z.number().check(z.int(), z.positive())),
    retentionMs: z.optional(z.number().check(z.int(), z.positive())),
    type: z.optional(z.enum(['inner', 'left', 'outer'])),
    partitions: z.optional(
      z.object({
        left: z.number().check(z.int(), z.positive()),
        right: z.number().check(z.int(), z.positive()),
      }),
    ),
  })
  .check(
    z.superRefine((spec, ctx) => {
      // The side of a record is its topic: a self-join would need another way to tell them apart.
      if (spec.left.topic === spec.right.topic)
        ctx.addIssue({
          code: 'custom',
          path: ['right', 'topic'],
          message: 'both sides read one topic (no self-joins)',
        });
      const side =
        spec.topic === spec.left.topic ? spec.left : spec.topic === spec.right.topic ? spec.right : undefined;
      if (!side)
        ctx.addIssue({
          code: 'custom',
          path: ['topic'],
          message: `${spec.topic} is neither side's topic (${spec.left.topic}, ${spec.right.topic}): use joinSideCopy`,
        });
      else if (side.codec !== spec.codec)
        ctx.addIssue({
          code: 'custom',
          path: ['codec'],
          message: `${spec.codec} is not the ${spec.topic} side's codec`,
        });
      if (spec.maxTimeDifferenceMs !== undefined && spec.maxTimeDifferenceMs > spec.windowMs)
        ctx.addIssue({
          code: 'custom',
          path: ['maxTimeDifferenceMs'],
          message: 'wider than windowMs: no pair could use it',
        });
      if ((spec.type ?? 'inner') !== 'inner' && !spec.partitions)
        ctx.addIssue({
          code: 'custom',
          path: ['partitions'],
          message: `a ${spec.type} join needs the partition count of each side's topic (when no partner can come any more)`,
        });
      // A filter or an enrich step on one copy only would make the sides disagree on what was buffered.
      if (spec.filter)
        ctx.addIssue({ code: 'custom', path: ['filter'], message: 'a join pipeline takes no filter' });
      if (spec.enrich)
        ctx.addIssue({ code: 'custom', path: ['enrich'], message: 'a join pipeline takes no enrich step' });
    }),
  );

/** The join as the handler of one side runs it: base `topic` and `codec` set to that side's. */
export function joinSideCopy(spec: Omit<JoinSpec, 'topic' | 'codec'>, side: JoinSide): JoinSpec {
  return { ...spec, topic: spec[side].topic, codec: spec[side].codec };
}

/** The side a topic feeds, if any. */
export function sideOfTopic(spec: Pick<JoinSpec, 'left' | 'right'>, topic: string): JoinSide | undefined {
  return topic === spec.left.topic ? 'left' : topic === spec.right.topic ? 'right' : undefined;
}

/** The other side. */
export function otherSide(side: JoinSide): JoinSide {
  return side === 'left' ? 'right' : 'left';
}

/** The sides whose unmatched records a join stores: none (inner), left, or both (outer). */
export function outerSides(spec: Pick<JoinSpec, 'type'>): JoinSide[] {
  const type = spec.type ?? 'inner';
  return type === 'outer' ? ['left', 'right'] : type === 'left' ? ['left'] : [];
}
