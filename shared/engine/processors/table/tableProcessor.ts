import type { Processor } from '../../process/processor.js';
import { planTable } from './planTable.js';
import { type TableSpec, tableSchema } from './tableSpec.js';

/**
 * Materializes a topic into the reference-table store: plan (pure; newest change per key),
 * then one conditional write per key, which a redelivery finds already applied.
 */
export const tableProcessor: Processor<TableSpec> = {
  kind: 'table',
  validate(spec) {
    const parsed = tableSchema.safeParse(spec);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  },
  async process({ spec, groups, stores, nowMs }) {
    const plan = planTable(spec, groups, nowMs());
    const { written, alreadyApplied } = await stores.tables.apply(spec.name, plan.writes);
    return {
      stats: plan.stats,
      deadLetters: plan.deadLetters,
      checkpoints: plan.checkpoints,
      writes: { itemWrites: written, conflicts: 0, alreadyApplied },
      items: plan.writes.length,
    };
  },
};
