/** Recovery of the ranges the event-source mapping gave up on (see store/gap). */
export { type Coverage, covers, type GapRecovery, type RecoverOptions, recoverGaps } from './recoverGaps.js';
