export { finalizationBound } from './finalizationBound.js';
export {
  type FinalizablePipeline,
  type FinalizeCounts,
  finalizeWindows,
  finalStartedKey,
} from './finalizeWindows.js';
export { finalKey, finalRecord, finalSource } from './finalRecord.js';
export { type FinalResultsSpec, finalResultsSchema, finalTopicOf } from './finalResultsSpec.js';
export { sweepFinalResults } from './sweepFinalResults.js';
