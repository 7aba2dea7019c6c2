import { attributeName } from '../../aggregate/index.js';
import type { Processor } from '../../process/processor.js';
import { planBatch } from './planBatch.js';
import { type WindowedAggregateSpec, windowedAggregateSchema } from './windowedAggregateSpec.js';

/**
 * Windowed aggregation into the aggregates table: plan the batch (pure: filter, key,
 * window, lateness, pre-aggregation per (key, window)), then apply one update per item
 * through the AggregateStore, idempotently.
 */
export const windowedAggregateProcessor: Processor<WindowedAggregateSpec> = {
  kind: 'windowed-aggregate',
  validate(spec) {
    const parsed = windowedAggregateSchema.safeParse(spec);
    if (!parsed.success) return parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    // Two writes of one attribute in an update expression are rejected by DynamoDB.
    const attributes = spec.aggregations.map(attributeName);
    const repeated = attributes.filter((a, i) => attributes.indexOf(a) !== i);
    return repeated.length > 0 ? [`aggregation ${repeated[0]} is listed twice`] : [];
  },
  async process({ spec, groups, startStreamTimes, stores }) {
    const plan = planBatch(spec, groups, startStreamTimes);
    const writes = await stores.aggregates.applyUpdates(spec, plan.updates);
    return {
      stats: plan.stats,
      deadLetters: plan.deadLetters,
      checkpoints: plan.checkpoints,
      writes: { ...writes, itemWrites: writes.fastWrites + writes.slowWrites },
      items: plan.updates.length,
    };
  },
};
