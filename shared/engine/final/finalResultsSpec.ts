import * as z from 'zod/mini';
import '../zodLocale.js';
import { ConfigError } from '../errors/index.js';
import type { HandlerSpec } from '../process/pipelineSpec.js';

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
  topic: z.optional(z.string().check(z.regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a Kafka topic name'))),
  partitions: z.number().check(z.int(), z.gte(1), z.lte(10_000)),
  idleAfterMs: z.optional(z.number().check(z.int(), z.positive())),
});

/** The topic a pipeline's final results go to. */
export function finalTopicOf(pipeline: { readonly name: string; readonly final?: FinalResultsSpec }): string {
  return pipeline.final?.topic ?? `${pipeline.name}-final`;
}

/**
 * The environment variable through which a deployment tells a handler how many partitions
 * its source topic has (the CDK app sets it when it creates the topics): `final.partitions`
 * must be the topic's count, or windows close before the partitions it leaves out passed them.
 */
export const SOURCE_TOPIC_PARTITIONS_ENV = 'SOURCE_TOPIC_PARTITIONS';

/** Whether any pipeline of a handler emits final results (it then needs the partition count). */
export function hasFinalResults(spec: HandlerSpec): boolean {
  return spec.pipelines.some((p) => p.kind === 'windowed-aggregate' && p.final !== undefined);
}

/**
 * The spec with every `final.partitions` set to the source topic's partition count from
 * {@link SOURCE_TOPIC_PARTITIONS_ENV}, when the deployment gives it; unchanged otherwise.
 * A count that is not a positive integer is a ConfigError at cold start, not a silent default.
 */
export function withSourcePartitions(
  spec: HandlerSpec,
  env: Readonly<Record<string, string | undefined>> = process.env,
): HandlerSpec {
  const raw = env[SOURCE_TOPIC_PARTITIONS_ENV];
  if (raw === undefined || raw === '') return spec;
  const partitions = Number(raw);
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new ConfigError(
      `${SOURCE_TOPIC_PARTITIONS_ENV}="${raw}" is not a positive whole number of partitions`,
    );
  }
  return {
    ...spec,
    pipelines: spec.pipelines.map((p) =>
      p.kind === 'windowed-aggregate' && p.final ? { ...p, final: { ...p.final, partitions } } : p,
    ),
  };
}
