import { codecByName } from '../shared/engine/decode/index.js';
import {
  buildEvent,
  decodeEvent,
  type KafkaRecordInput,
  type LambdaKafkaEvent,
} from '../shared/engine/event/index.js';
import {
  type DecodedRecord,
  decodeGroups,
  type HandlerSpec,
  isWindowedAggregate,
  planBatch,
} from '../shared/engine/process/index.js';

/** What {@link timePureCore} measured. */
export interface PureCoreTiming {
  readonly records: number;
  readonly events: number;
  readonly elapsedMs: number;
  /** Records through every handler per second. */
  readonly recordsPerSecond: number;
  /** Item updates the plans held, summed over handlers and batches (a check that work was done). */
  readonly plannedUpdates: number;
}

/**
 * Cuts records into events of `batchSize` in order (partition order is kept; one event may mix
 * partitions, as an event-source mapping's may).
 */
export function eventsOf(records: readonly KafkaRecordInput[], batchSize: number): LambdaKafkaEvent[] {
  const events: LambdaKafkaEvent[] = [];
  for (let i = 0; i < records.length; i += batchSize)
    events.push(buildEvent(records.slice(i, i + batchSize)));
  return events;
}

/**
 * The handlers' pure core on every event, without any store: what `processEvent` does between
 * receiving an event and writing, i.e. decode (base64, JSON, schema) once per handler and codec,
 * then plan every pipeline (window assignment, pre-aggregation, lateness), with each
 * partition's stream time carried from batch to batch as the checkpoints would carry it.
 * Events are built beforehand: encoding them is the runner's cost, not the handlers'.
 */
export function timePureCore(
  events: readonly LambdaKafkaEvent[],
  handlers: readonly HandlerSpec[],
): PureCoreTiming {
  const streamTimes = new Map<string, Map<string, number>>();
  for (const h of handlers) for (const p of h.pipelines) streamTimes.set(p.name, new Map());
  let records = 0;
  let plannedUpdates = 0;
  const startedMs = performance.now();
  for (const event of events) {
    const groups = decodeEvent(event);
    for (const g of groups) records += g.length;
    for (const handler of handlers) {
      const decodedByCodec = new Map<string, DecodedRecord[][]>();
      for (const pipeline of handler.pipelines.filter(isWindowedAggregate)) {
        let decoded = decodedByCodec.get(pipeline.codec);
        if (!decoded) {
          const codec = codecByName(pipeline.codec);
          decoded = decodeGroups(groups, (r) => codec.decode(r));
          decodedByCodec.set(pipeline.codec, decoded);
        }
        const times = streamTimes.get(pipeline.name)!;
        const plan = planBatch(pipeline, decoded, times);
        plannedUpdates += plan.updates.length;
        for (const c of plan.checkpoints) times.set(c.partitionId, c.streamTimeMs);
      }
    }
  }
  const elapsedMs = performance.now() - startedMs;
  return {
    records,
    events: events.length,
    elapsedMs,
    recordsPerSecond: records / Math.max(elapsedMs / 1000, 1e-6),
    plannedUpdates,
  };
}
