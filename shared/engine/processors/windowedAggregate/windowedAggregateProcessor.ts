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
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
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
