import { z } from 'zod';

/**
 * Opt-in final results of a windowed aggregation: each window's one final value, emitted
 * once no record can change it any more, to a Kafka topic and as a `final` mark on its item.
 * @see Kafka Streams `suppress(Suppressed.untilWindowCloses(...))`; Flink's event-time
 *   trigger with `WatermarkStrategy.withIdleness`.
 */
export interface FinalResultsSpec {
  /**
   * The topic final results go to.
   * @default `<pipeline>-final`
   */
  readonly topic?: string;
  /**
   * How many partitions the source topic has. A window is final when every one of them has
   * passed its end + grace (or is idle, see `idleAfterMs`); a handler sees only the
   * partitions in its event, so the count is declared rather than guessed: a partition left
   * out would let windows close before its records arrive. Adding partitions to the topic
   * means raising this too.
   */
  readonly partitions: number;
  /**
   * A partition that has received no record for this long (wall clock) stops holding the
   * watermark back (Flink's idleness), and once every partition that has not passed a
   * window is idle, the window closes when its close time (end + grace) is this long past
   * by wall clock. Without it, a partition that never receives anything holds every window
   * open for ever (Kafka Streams' behaviour).
   * @default undefined: wait for every partition
   */
  readonly idleAfterMs?: number;
}

/** {@link FinalResultsSpec}, validated. */
export const finalResultsSchema = z.object({
  topic: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a Kafka topic name')
    .optional(),
  partitions: z.number().int().min(1).max(10_000),
  idleAfterMs: z.number().int().positive().optional(),
});

/** The topic a pipeline's final results go to. */
export function finalTopicOf(pipeline: { readonly name: string; readonly final?: FinalResultsSpec }): string {
  return pipeline.final?.topic ?? `${pipeline.name}-final`;
}
