import { codecByName } from '../codecs/index.js';
import { InvalidRecordError } from '../errors/index.js';
import { decodeEvent, type KafkaRecord, type LambdaKafkaEvent, partitionId } from '../kafka/index.js';
import type { ApplyCounts } from '../store/DynamoAggregateStore.js';
import type { PipelineStores } from '../store/pipelineStores.js';
import type { HandlerSpec, PipelineSpec } from './pipelineSpec.js';
import { type BatchStats, type DecodedRecord, decodeGroups, planBatch } from './planBatch.js';
import { skipApplied } from './skipApplied.js';

/** What one pipeline did with one event. */
export interface PipelineOutcome {
  readonly pipeline: string;
  /** `alreadyApplied`: records skipped because a completed earlier delivery applied them. */
  readonly stats: BatchStats & { alreadyApplied: number };
  readonly writes: ApplyCounts;
  readonly deadLettersWritten: number;
  /** Distinct (key, window) items the batch touched: the pre-aggregation's effect. */
  readonly items: number;
}

/**
 * Runs every pipeline of a handler over one Lambda Kafka event: decode once per codec, skip
 * what a completed earlier delivery applied, plan (pure), then write in the order that keeps
 * a crash anywhere harmless:
 * 1. aggregate items (each idempotent through its offset high-water marks),
 * 2. dead letters (idempotent by key),
 * 3. stream-time checkpoints (only after everything the batch implies is stored).
 * A store failure rejects the promise, so the invocation fails and Lambda retries the batch;
 * bad records never do.
 */
export async function processEvent(
  spec: HandlerSpec,
  event: LambdaKafkaEvent,
  stores: PipelineStores,
): Promise<PipelineOutcome[]> {
  const groups = decodeEvent(event);
  const decodedByCodec = new Map<string, DecodedRecord[][]>();
  const decodedFor = (pipeline: PipelineSpec): DecodedRecord[][] => {
    const cacheKey = `${pipeline.codec}\u0000${pipeline.topic}`;
    let decoded = decodedByCodec.get(cacheKey);
    if (!decoded) {
      const codec = codecByName(pipeline.codec);
      // A mapping reads one topic; a record of another topic means the spec and the mapping
      // disagree. Dead-letter it (WRONG_TOPIC) rather than drop it unseen.
      decoded = decodeGroups(groups, (r: KafkaRecord) => {
        if (r.topic !== pipeline.topic) {
          throw new InvalidRecordError(
            `record of topic ${r.topic}, but pipeline ${pipeline.name} reads ${pipeline.topic}`,
            {
              coordinates: r,
              field: 'topic',
              code: 'WRONG_TOPIC',
            },
          );
        }
        return codec.decode(r);
      });
      decodedByCodec.set(cacheKey, decoded);
    }
    return decoded;
  };
  // allSettled, then fail: a failed pipeline must not leave the others writing after the
  // invocation returned (they would race Lambda's retry of this batch).
  const settled = await Promise.allSettled(
    spec.pipelines.map(async (pipeline): Promise<PipelineOutcome> => {
      const decoded = decodedFor(pipeline);
      const ids = decoded
        .filter((g) => g.length > 0)
        .map((g) => partitionId(g[0]!.record.topic, g[0]!.record.partition));
      const latest = await stores.streamTimes.latest(pipeline.name, ids);
      const { groups: pending, startStreamTimes, skipped } = skipApplied(decoded, latest);
      const plan = planBatch(pipeline, pending, startStreamTimes);
      const writes = await stores.aggregates.applyUpdates(pipeline, plan.updates);
      const deadLettersWritten = await stores.deadLetters.putAll(plan.deadLetters);
      await stores.streamTimes.save(pipeline.name, plan.checkpoints);
      return {
        pipeline: pipeline.name,
        stats: { ...plan.stats, records: plan.stats.records + skipped, alreadyApplied: skipped },
        writes,
        deadLettersWritten,
        items: plan.updates.length,
      };
    }),
  );
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<PipelineOutcome>).value);
}
