export { finalizationBound } from './finalizationBound.js';
export {
  type FinalizablePipeline,
  type FinalizeCounts,
  finalizeWindows,
  finalStartedKey,
} from './finalizeWindows.js';
export { finalKey, finalRecord, finalSource } from './finalRecord.js';
export { type FinalResultsSpec, finalResultsSchema, finalTopicOf } from './finalResultsSpec.js';
export { oldestOverdueMs } from './overdueWindow.js';
export { OVERDUE_METRIC, SWEEPER_SERVICE_NAME, SWEPT_METRIC } from './sweeperMetrics.js';
export { finalizablePipelinesOf, sweepFinalResults } from './sweepFinalResults.js';
export { SWEEP_PIPELINES_ENV, sweepPipelinesFromEnv, sweepPipelinesJson } from './sweepPipelinesEnv.js';
