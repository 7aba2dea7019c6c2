import { ConfigError } from '../errors/index.js';
import type { PipelineSpec } from '../process/pipelineSpec.js';
import type { Processor } from '../process/processor.js';
import { windowedAggregateProcessor } from './windowedAggregate/windowedAggregateProcessor.js';

/**
 * Every pipeline kind and its processor: the one table `processEvent` and spec validation
 * read. A new kind is a spec type, a processor, and a row here.
 */
export const PROCESSORS: {
  readonly [K in PipelineSpec['kind']]: Processor<Extract<PipelineSpec, { kind: K }>>;
} = {
  'windowed-aggregate': windowedAggregateProcessor,
};

/** The processor of a spec's kind; a ConfigError lists the kinds there are. */
export function processorFor(spec: {
  readonly kind: string;
  readonly name?: string;
}): Processor<PipelineSpec> {
  const processor = (PROCESSORS as Record<string, Processor<PipelineSpec>>)[spec.kind];
  if (!processor) {
    throw new ConfigError(
      `pipeline ${spec.name ?? '?'}: unknown kind "${spec.kind}"; kinds: ${Object.keys(PROCESSORS).join(', ')}`,
    );
  }
  return processor;
}

export { type BatchPlan, planBatch } from './windowedAggregate/planBatch.js';
export { windowedAggregateProcessor } from './windowedAggregate/windowedAggregateProcessor.js';
export {
  type WindowedAggregateSpec,
  windowedAggregateSchema,
} from './windowedAggregate/windowedAggregateSpec.js';
