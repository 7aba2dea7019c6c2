import { ConfigError } from '../../errors/index.js';
import type { Processor } from '../../process/processor.js';
import { planRoutes } from './planRoutes.js';
import { type RouteSpec, routeSchema } from './routeSpec.js';

/**
 * Routing to Kafka topics: plan the batch (pure), then send every output through the
 * handler's RecordSink before returning, so the checkpoints the engine writes next never
 * cover a record that was not acknowledged. A failed send rejects: Lambda redelivers the
 * batch, and what was already sent is sent again with the same `kls-source` header.
 */
export const routeProcessor: Processor<RouteSpec> = {
  kind: 'route',
  validate(spec) {
    const parsed = routeSchema.safeParse(spec);
    if (!parsed.success) return parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    const problems: string[] = [];
    spec.routes.forEach((r, i) => {
      if (r.to === spec.topic)
        problems.push(`routes.${i}.to: ${r.to} is the pipeline's own source topic (a loop)`);
    });
    return problems;
  },
  async process({ spec, groups, startStreamTimes, sink }) {
    const plan = planRoutes(spec, groups, startStreamTimes);
    if (plan.outputs.length > 0) {
      if (!sink) {
        throw new ConfigError(
          `pipeline ${spec.name} routes records to Kafka, but the handler was given no record sink (kafkaHandler's \`sink\` option)`,
        );
      }
      await sink.send(plan.outputs);
    }
    return {
      stats: plan.stats,
      deadLetters: plan.deadLetters,
      checkpoints: plan.checkpoints,
      writes: {
        itemWrites: plan.outputs.length,
        conflicts: 0,
        alreadyApplied: 0,
        ...Object.fromEntries([...plan.perTopic].map(([topic, n]) => [`sent:${topic}`, n])),
      },
      items: plan.outputs.length,
    };
  },
};
