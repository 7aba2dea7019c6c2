import { sideOfTopic } from '../processors/join/joinSpec.js';
import type { HandlerSpec, PipelineSpec } from './pipelineSpec.js';

/**
 * A handler's spec reading `topic` instead of its own (a local run on a topic of its own, a
 * test sharing a broker): every pipeline reads it, or each record would be skipped as another
 * topic's. A join pipeline also moves the side its handler reads, so its side check still
 * names this topic; the other side's topic stays as declared.
 */
export function handlerOnTopic(spec: HandlerSpec, topic: string): HandlerSpec {
  return { ...spec, topic, pipelines: spec.pipelines.map((p) => pipelineOnTopic(p, topic)) };
}

function pipelineOnTopic(pipeline: PipelineSpec, topic: string): PipelineSpec {
  if (pipeline.kind !== 'join') return { ...pipeline, topic };
  const side = sideOfTopic(pipeline, pipeline.topic);
  return side ? { ...pipeline, topic, [side]: { ...pipeline[side], topic } } : { ...pipeline, topic };
}
