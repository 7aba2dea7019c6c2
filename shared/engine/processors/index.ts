import { ConfigError } from '../errors/index.js';
import type { PipelineSpec } from '../process/pipelineSpec.js';
import type { Processor } from '../process/processor.js';
import { joinProcessor } from './join/joinProcessor.js';
import { routeProcessor } from './route/routeProcessor.js';
import { sessionProcessor } from './session/sessionProcessor.js';
import { tableProcessor } from './table/tableProcessor.js';
import { windowedAggregateProcessor } from './windowedAggregate/windowedAggregateProcessor.js';

/**
 * Every pipeline kind and its processor: the one table `processEvent` and spec validation
 * read. A new kind is a spec type, a processor, and a row here.
 */
export const PROCESSORS: {
  readonly [K in PipelineSpec['kind']]: Processor<Extract<PipelineSpec, { kind: K }>>;
} = {
  'windowed-aggregate': windowedAggregateProcessor,
  route: routeProcessor,
  table: tableProcessor,
  join: joinProcessor,
  session: sessionProcessor,
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

export { type CloseUnmatchedCounts, closeUnmatched, openFromMs } from './join/closeUnmatched.js';
export { type JoinPair, pairOf } from './join/joinPairs.js';
export { joinProcessor } from './join/joinProcessor.js';
export {
  DEFAULT_BUFFER_RETENTION_MS,
  type JoinSelect,
  type JoinSide,
  type JoinSideSpec,
  type JoinSpec,
  type JoinType,
  joinSchema,
  joinSideCopy,
  otherSide,
  outerSides,
  sideOfTopic,
} from './join/joinSpec.js';
export {
  addToSet,
  bufferedBetween,
  bufferPk,
  pairsBetween,
  pairsPk,
  pairsPkPrefix,
  pendingPk,
  removeFromSet,
  unmatchedBetween,
  unmatchedPk,
  unmatchedPkPrefix,
} from './join/joinState.js';
export { type BufferEntry, isJoinRecordLate, type JoinPlan, planJoin, recordId } from './join/planJoin.js';
export { planRoutes, type RoutePlan } from './route/planRoutes.js';
export { routeProcessor } from './route/routeProcessor.js';
export { type Route, type RouteSpec, routeSchema } from './route/routeSpec.js';
export {
  isSessionRecordLate,
  type KeyContribution,
  planSessions,
  type SessionPlan,
  type SessionRecord,
} from './session/planSessions.js';
export { hotSessionsKey, MAX_SESSION_ATTEMPTS, sessionProcessor } from './session/sessionProcessor.js';
export { type SessionSpec, sessionSchema } from './session/sessionSpec.js';
export {
  applySessionRecords,
  EMPTY_HOT_SESSIONS,
  evictClosed,
  type HotSessions,
  hotSessionsExpiryMs,
  type PartitionMark,
  type Session,
} from './session/sessionState.js';
export {
  DEFAULT_TOMBSTONE_RETENTION_MS,
  isNewer,
  MAX_ROW_BYTES,
  planTable,
  type TablePlan,
} from './table/planTable.js';
export { tableProcessor } from './table/tableProcessor.js';
export { type TableSpec, tableSchema } from './table/tableSpec.js';
export { type BatchPlan, planBatch } from './windowedAggregate/planBatch.js';
export { refusedRecords } from './windowedAggregate/refusedRecords.js';
export { windowedAggregateProcessor } from './windowedAggregate/windowedAggregateProcessor.js';
export {
  type WindowedAggregateSpec,
  windowedAggregateSchema,
} from './windowedAggregate/windowedAggregateSpec.js';

/** Narrows a pipeline to a windowed aggregation (tools that read the aggregates table). */
export function isWindowedAggregate(
  p: PipelineSpec,
): p is Extract<PipelineSpec, { kind: 'windowed-aggregate' }> {
  return p.kind === 'windowed-aggregate';
}

/** Narrows a pipeline to a stream-stream join (tools that read join pairs). */
export function isJoin(p: PipelineSpec): p is Extract<PipelineSpec, { kind: 'join' }> {
  return p.kind === 'join';
}

/** Narrows a pipeline to session windows (tools that read session rows). */
export function isSession(p: PipelineSpec): p is Extract<PipelineSpec, { kind: 'session' }> {
  return p.kind === 'session';
}
