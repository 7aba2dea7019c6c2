import { attributeName } from '../../aggregate/index.js';
import { finalizeWindows } from '../../final/finalizeWindows.js';
import type { Processor } from '../../process/processor.js';
import { planBatch } from './planBatch.js';
import { refusedRecords } from './refusedRecords.js';
import { type WindowedAggregateSpec, windowedAggregateSchema } from './windowedAggregateSpec.js';

/**
 * Windowed aggregation into the aggregates table: plan the batch (pure: filter, key,
 * window, lateness, pre-aggregation per (key, window)), then apply one update per item
 * through the AggregateStore, idempotently. With `final`, after the batch's checkpoints it
 * emits the windows the watermark closed (see engine/final), and records for windows
 * already closed that way become `WINDOW_FINAL` dead letters.
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
  async process({ spec, groups, startStreamTimes, openGaps, stores }) {
    const plan = planBatch(spec, groups, startStreamTimes);
    const { counts, refused } = await stores.aggregates.applyUpdates(spec, plan.updates, openGaps);
    const refusal =
      refused.length === 0
        ? { deadLetters: [], stats: plan.stats }
        : refusedRecords(spec, groups, plan.updates, refused, plan.stats);
    return {
      stats: refusal.stats,
      deadLetters: [...plan.deadLetters, ...refusal.deadLetters],
      checkpoints: plan.checkpoints,
      writes: { ...counts, itemWrites: counts.fastWrites + counts.slowWrites },
      items: plan.updates.length,
    };
  },
  async afterCheckpoints({ spec, stores, sink, nowMs }): Promise<Readonly<Record<string, number>>> {
    if (!spec.final) return {};
    const { emitted, marked } = await finalizeWindows(
      { ...spec, final: spec.final },
      { stores, sink, nowMs },
    );
    return { finalEmitted: emitted, finalMarked: marked };
  },
};
