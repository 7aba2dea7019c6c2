import { codecByName } from '../decode/index.js';
import { ConfigError } from '../errors/index.js';
import { processorFor } from '../processors/index.js';
import type { HandlerSpec } from './pipelineSpec.js';

/**
 * Checks a handler spec once, at cold start or synth, so a wrong spec fails there with a
 * message naming the pipeline and the field, not on every batch: each pipeline by the
 * processor of its kind, its codec registered, its topic the handler's (a mapping reads one topic), names
 * unique (they prefix every item).
 */
export function validateHandlerSpec(spec: HandlerSpec): void {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const pipeline of spec.pipelines) {
    try {
      for (const problem of processorFor(pipeline).validate(pipeline))
        problems.push(`${pipeline.name}: ${problem}`);
    } catch (err) {
      problems.push((err as Error).message);
      continue;
    }
    try {
      codecByName(pipeline.codec);
    } catch (err) {
      problems.push(`${pipeline.name}: ${(err as Error).message}`);
    }
    if (pipeline.topic !== spec.topic) {
      problems.push(
        `${pipeline.name}: topic ${pipeline.topic} differs from the handler's topic ${spec.topic}`,
      );
    }
    if (names.has(pipeline.name)) problems.push(`${pipeline.name}: two pipelines have this name`);
    names.add(pipeline.name);
  }
  if (spec.pipelines.length === 0) problems.push('no pipelines');
  if (problems.length > 0) {
    throw new ConfigError(`handler spec ${spec.name} is invalid:\n  ${problems.join('\n  ')}`);
  }
}
