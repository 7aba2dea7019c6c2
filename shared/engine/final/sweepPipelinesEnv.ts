import * as z from 'zod/mini';
import '../zodLocale.js';
import { ConfigError } from '../errors/index.js';
import type { FinalizablePipeline } from './finalizeWindows.js';
import { finalResultsSchema } from './finalResultsSpec.js';

/**
 * The environment variable the sweeper function reads its pipelines from: JSON of
 * `[{ name, topic, final }]`, only what finalizing needs (no codec, key or aggregations: the
 * sweeper reads items, never records), so it stays far below Lambda's 4 KB of environment
 * and no codec has to be bundled.
 */
export const SWEEP_PIPELINES_ENV = 'SWEEP_PIPELINES';

const sweepPipelinesSchema = z
  .array(
    z.object({
      name: z.string().check(z.minLength(1)),
      topic: z.string().check(z.minLength(1)),
      final: finalResultsSchema,
    }),
  )
  .check(z.minLength(1, 'at least one pipeline with final results'));

/** The JSON the sweeper's environment carries for `pipelines`. */
export function sweepPipelinesJson(pipelines: readonly FinalizablePipeline[]): string {
  return JSON.stringify(pipelines.map((p) => ({ name: p.name, topic: p.topic, final: p.final })));
}

/**
 * The pipelines in {@link SWEEP_PIPELINES_ENV}, validated at cold start: a ConfigError
 * naming the variable and the field, not a failure on the first scheduled run.
 */
export function sweepPipelinesFromEnv(env: NodeJS.ProcessEnv = process.env): FinalizablePipeline[] {
  const json = env[SWEEP_PIPELINES_ENV];
  if (!json) throw new ConfigError(`${SWEEP_PIPELINES_ENV} is not set: it must list the pipelines to sweep`);
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new ConfigError(`${SWEEP_PIPELINES_ENV} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = sweepPipelinesSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(
      `${SWEEP_PIPELINES_ENV} is not a list of pipelines to sweep:\n  ${issues.join('\n  ')}`,
    );
  }
  return parsed.data.map((p) => ({
    name: p.name,
    topic: p.topic,
    final: {
      partitions: p.final.partitions,
      ...(p.final.topic !== undefined ? { topic: p.final.topic } : {}),
      ...(p.final.idleAfterMs !== undefined ? { idleAfterMs: p.final.idleAfterMs } : {}),
    },
  }));
}
