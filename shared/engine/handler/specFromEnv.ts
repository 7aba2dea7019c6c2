import * as z from 'zod';
import { ConfigError } from '../errors/index.js';
import type { HandlerSpec } from '../process/pipelineSpec.js';
import { validateHandlerSpec } from '../process/validateHandlerSpec.js';

/** The environment variable the generic handler reads its spec from (JSON of a {@link HandlerSpec}). */
export const PIPELINE_SPEC_ENV = 'PIPELINE_SPEC';

/**
 * Lambda caps all environment variables of a function at 4 KB together; a spec is plain data
 * and a few hundred bytes per pipeline, so this leaves room for the table names and settings.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html
 */
export const MAX_PIPELINE_SPEC_BYTES = 3072;

// The handler's own fields; each pipeline is checked by its kind's schema in validateHandlerSpec.
const handlerShape = z.object({
  name: z.string().min(1),
  description: z.string(),
  topic: z.string().min(1),
  pipelines: z.array(z.looseObject({ kind: z.string(), name: z.string() })),
});

/**
 * Reads and validates a handler spec from JSON (the generic handler's `PIPELINE_SPEC`), so a
 * wrong spec fails the cold start with a message naming the variable and the field, not the
 * first batch. Only codecs registered in the bundle (the built-in `json` in the generic handler) can
 * be named: a spec is data and cannot carry code.
 */
export function parseHandlerSpec(json: string, source = PIPELINE_SPEC_ENV): HandlerSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new ConfigError(`${source} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const shape = handlerShape.safeParse(raw);
  if (!shape.success) {
    const issues = shape.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`${source} is not a handler spec:\n  ${issues.join('\n  ')}`);
  }
  const spec = raw as HandlerSpec;
  try {
    validateHandlerSpec(spec);
  } catch (err) {
    throw new ConfigError(`${source}: ${(err as Error).message}`, { cause: err });
  }
  return spec;
}

/** The handler spec in `PIPELINE_SPEC` (or `env[name]`); a ConfigError when missing or invalid. */
export function specFromEnv(env: NodeJS.ProcessEnv = process.env, name = PIPELINE_SPEC_ENV): HandlerSpec {
  const json = env[name];
  if (!json) throw new ConfigError(`${name} is not set: it must hold the handler spec as JSON`);
  return parseHandlerSpec(json, name);
}
