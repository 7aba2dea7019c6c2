import type { DecodedRecord } from '../decode/decodedRecord.js';
import { codecByName } from '../decode/index.js';
import { enrichGroups, LookupCache, LookupPins } from '../enrich/index.js';
// Not the event barrel: it also exports the producer-side partitioner, which pulls kafkajs into
// every Lambda bundle.
import { decodeEvent } from '../event/decodeEvent.js';
import { type LambdaKafkaEvent, partitionId } from '../event/lambdaKafkaEvent.js';
import type { RecordSink } from '../output/RecordSink.js';
import { processorFor } from '../processors/index.js';
import type { PipelineStores } from '../store/PipelineStores.js';
import { decodeForPipeline } from './decodeForPipeline.js';
import type { HandlerSpec, PipelineSpec } from './pipelineSpec.js';
import type { BatchStats, WriteCounts } from './processor.js';
import { skipApplied } from './skipApplied.js';

/** What one pipeline did with one event. */
export interface PipelineOutcome {
  readonly pipeline: string;
  readonly kind: string;
  /** `alreadyApplied`: records skipped because a completed earlier delivery applied them. */
  readonly stats: BatchStats & { alreadyApplied: number };
  /** The processor's write counts (windowed aggregates add fastWrites, slowWrites, reads). */
  readonly writes: WriteCounts;
  readonly deadLettersWritten: number;
  /** Distinct outputs the batch touched: for aggregates, (key, window) items (the pre-aggregation's effect). */
  readonly items: number;
  /**
   * Open gaps (ranges the mapping gave up on, waiting for `recover`) on the partitions of this
   * batch, new ones included: published as the OpenGaps metric, which alarms while it is above 0.
   */
  readonly openGaps: number;
}

/** What a handler adds to the stores for one event; each has a default that suits a test. */
export interface ProcessOptions {
  /** Where route pipelines send records. @default none: a route pipeline with outputs fails (ConfigError) */
  readonly sink?: RecordSink | undefined;
  /**
   * Rows of tables for enrich steps, cached. A handler passes one it keeps across
   * invocations (per container). @default a cache for this event only
   */
  readonly lookups?: LookupCache | undefined;
  /** @default Date.now */
  readonly nowMs?: (() => number) | undefined;
  /**
   * Whether a jump in a partition's offsets is recorded as a gap (see `OFFSET_GAPS_ENV`).
   * @default true: without filters or registry validation on the mapping, a jump means the
   *   mapping gave up on records
   */
  readonly detectGaps?: boolean | undefined;
}

/**
 * Runs every pipeline of a handler over one Lambda Kafka event: prepare each codec (async
 * lookups such as Avro writer schemas), decode once per codec, skip
 * what a completed earlier delivery applied, hand the rest to the processor of the
 * pipeline's kind (after its enrich steps, which pin the rows they used), then write in the order that keeps a crash anywhere harmless:
 * 0. a gap the batch reveals (it starts past its partition's checkpoint: the mapping gave up
 *    on the records between), so recovery can apply them later (see recoverGap),
 * 1. the processor's outputs (each idempotent under redelivery),
 * 2. dead letters (idempotent by key),
 * 3. stream-time checkpoints (only after everything the batch implies is stored),
 * 4. the processor's `afterCheckpoints` (final results of windows the batch closed).
 * A store failure rejects the promise, so the invocation fails and Lambda retries the batch;
 * bad records never do.
 */
export async function processEvent(
  spec: HandlerSpec,
  event: LambdaKafkaEvent,
  stores: PipelineStores,
  options: ProcessOptions = {},
): Promise<PipelineOutcome[]> {
  const groups = decodeEvent(event);
  const nowMs = options.nowMs ?? stores.nowMs ?? Date.now;
  const enrich = {
    cache: options.lookups ?? new LookupCache(stores.tables, nowMs),
    pins: new LookupPins(stores.state, nowMs),
  };
  // The async half of decoding, once per codec for the whole batch, before any write: a
  // codec that cannot prepare (a schema registry outage) fails the invocation, so Lambda
  // retries the batch rather than dead-lettering good records.
  const codecs = new Set(spec.pipelines.map((p) => codecByName(p.codec)));
  const records = groups.flat();
  await Promise.all([...codecs].map((codec) => codec.prepare?.(records)));
  const decodedByCodec = new Map<string, DecodedRecord[][]>();
  const decodedFor = (pipeline: PipelineSpec): DecodedRecord[][] => {
    const cacheKey = `${pipeline.codec}\u0000${pipeline.topic}`;
    let decoded = decodedByCodec.get(cacheKey);
    if (!decoded) {
      decoded = decodeForPipeline(pipeline, groups);
      decodedByCodec.set(cacheKey, decoded);
    }
    return decoded;
  };
  // allSettled, then fail: a failed pipeline must not leave the others writing after the
  // invocation returned (they would race Lambda's retry of this batch).
  const settled = await Promise.allSettled(
    spec.pipelines.map(async (pipeline): Promise<PipelineOutcome> => {
      const processor = processorFor(pipeline);
      const decoded = decodedFor(pipeline);
      const ids = decoded
        .filter((g) => g.length > 0)
        .map((g) => partitionId(g[0]!.record.topic, g[0]!.record.partition));
      const latest = await stores.streamTimes.latest(pipeline.name, ids);
      const {
        groups: pending,
        startStreamTimes,
        skipped,
        newGaps,
        openGaps,
      } = skipApplied(decoded, latest, nowMs(), options.detectGaps ?? true);
      // Before any other write of the batch: every item write from here on must know the gap.
      for (const gap of newGaps) await stores.streamTimes.recordGap(pipeline.name, gap);
      const enriched = await enrichGroups(pipeline, pending, enrich);
      const result = await processor.process({
        spec: pipeline,
        groups: enriched,
        startStreamTimes,
        openGaps,
        stores,
        sink: options.sink,
        nowMs,
      });
      const deadLettersWritten = await stores.deadLetters.putAll(result.deadLetters);
      await stores.streamTimes.save(pipeline.name, result.checkpoints);
      const after = processor.afterCheckpoints
        ? await processor.afterCheckpoints({ spec: pipeline, stores, sink: options.sink, nowMs })
        : {};
      return {
        pipeline: pipeline.name,
        kind: pipeline.kind,
        stats: { ...result.stats, records: result.stats.records + skipped, alreadyApplied: skipped },
        writes: { ...result.writes, ...after },
        deadLettersWritten,
        items: result.items,
        openGaps: [...openGaps.values()].reduce((n, gaps) => n + gaps.length, 0),
      };
    }),
  );
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<PipelineOutcome>).value);
}
