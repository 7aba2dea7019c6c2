import { enrichGroups, LookupCache, LookupPins } from '../enrich/index.js';
import type { KafkaRecord } from '../event/kafkaRecord.js';
import { partitionId } from '../event/lambdaKafkaEvent.js';
import { decodeForPipeline } from '../process/decodeForPipeline.js';
import type { HandlerSpec } from '../process/pipelineSpec.js';
import {
  isWindowedAggregate,
  planBatch,
  refusedRecords,
  type WindowedAggregateSpec,
} from '../processors/index.js';
import type { Checkpoint } from '../store/CheckpointStore.js';
import { detectGap, type Gap, inGap, isOpen } from '../store/gap.js';
import type { PipelineStores } from '../store/PipelineStores.js';

/** What the records handed to recovery are known to cover, per partition id. */
export type Coverage =
  /**
   * Read from Kafka for the whole range of every open gap of these partitions: every record
   * of each range is there (possibly none, on a compacted topic).
   */
  | { readonly kind: 'topic'; readonly partitionIds: readonly string[] }
  /**
   * Ranges of discarded batches, from on-failure records (`firstRecordOffset`..`lastRecordOffset`,
   * inclusive). A gap counts as covered when they chain over it exactly: the first starts at
   * the gap's start, each next one right after the previous, the last ends just before the
   * gap's end. With non-contiguous offsets (compacted or transactional topics) they may not,
   * and only `--from-topic` can tell.
   */
  | {
      readonly kind: 'on-failure';
      readonly ranges: ReadonlyMap<string, ReadonlyArray<readonly [number, number]>>;
    };

/** What recovery did for one gap of one pipeline. */
export interface GapRecovery {
  readonly pipeline: string;
  readonly gap: Gap;
  /** Records of the gap that were handed in. */
  readonly records: number;
  /** Items written (read-modify-writes) and items that already had everything. */
  readonly itemWrites: number;
  readonly alreadyApplied: number;
  readonly deadLetters: number;
  readonly outcome: 'closed' | 'not-covered' | 'kind-not-supported';
  readonly detail?: string;
}

/** Options of {@link recoverGaps}. */
export interface RecoverOptions {
  /** @default Date.now */
  readonly nowMs?: () => number;
  /** Called after each gap, for progress output. */
  readonly onGap?: (result: GapRecovery) => void;
}

/**
 * Applies the records of every open gap of a handler's pipelines that `records` cover, then
 * closes those gaps. For each gap: the records inside it, in offset order, planned from the
 * gap's stream time (so they get the lateness decisions the failed attempts and the single
 * pass would have given them), applied per item past what the item already had of the gap
 * (its gap mark: see DynamoAggregateStore.applyGapUpdates), dead letters written, then the
 * gap closed. Every step is idempotent, so running it twice, or beside normal batches,
 * changes nothing; a crash before the close leaves the gap open for the next run.
 *
 * Covers the windowed-aggregate kind; gaps of other kinds are reported and left open.
 */
export async function recoverGaps(
  spec: HandlerSpec,
  records: readonly KafkaRecord[],
  coverage: Coverage,
  stores: PipelineStores,
  options: RecoverOptions = {},
): Promise<GapRecovery[]> {
  const nowMs = options.nowMs ?? Date.now;
  const byPartition = new Map<string, KafkaRecord[]>();
  for (const r of records) {
    const pid = partitionId(r.topic, r.partition);
    let list = byPartition.get(pid);
    if (!list) byPartition.set(pid, (list = []));
    list.push(r);
  }
  const pids = coverage.kind === 'on-failure' ? [...coverage.ranges.keys()] : [...coverage.partitionIds];
  const results: GapRecovery[] = [];
  for (const pipeline of spec.pipelines) {
    let latest = await stores.streamTimes.latest(pipeline.name, pids);
    if (
      coverage.kind === 'on-failure' &&
      (await registerTailGaps(pipeline.name, coverage, latest, stores, nowMs()))
    ) {
      latest = await stores.streamTimes.latest(pipeline.name, pids);
    }
    for (const [pid, checkpoint] of latest) {
      for (const gap of checkpoint.gaps.filter(isOpen)) {
        const inside = uniqueByOffset((byPartition.get(pid) ?? []).filter((r) => inGap(gap, r.offset)));
        const base = {
          pipeline: pipeline.name,
          gap,
          records: inside.length,
          itemWrites: 0,
          alreadyApplied: 0,
          deadLetters: 0,
        };
        let result: GapRecovery;
        if (!isWindowedAggregate(pipeline)) {
          result = {
            ...base,
            outcome: 'kind-not-supported',
            detail: `recovery covers windowed-aggregate pipelines; ${pipeline.kind} is left open`,
          };
        } else if (!covers(coverage, gap) || (coverage.kind === 'on-failure' && inside.length === 0)) {
          result = {
            ...base,
            outcome: 'not-covered',
            detail:
              'the on-failure ranges do not chain over the gap exactly: pass every on-failure record of it, or use --from-topic',
          };
        } else {
          result = { ...base, ...(await applyGap(pipeline, gap, inside, stores, nowMs)) };
          await stores.streamTimes.closeGap(
            pipeline.name,
            gap,
            inside.length === 0 ? 'no-records' : 'recovered',
            nowMs(),
          );
        }
        options.onGap?.(result);
        results.push(result);
      }
    }
  }
  return results;
}

/**
 * Records the gaps the on-failure ranges name that no batch has revealed yet: Lambda gave up
 * on the partition's last records and nothing came after them. Safe because no batch has
 * completed past them (the checkpoint is still before the range), so every item still holds
 * its pre-gap mark or a failed attempt's mark inside the range. A partition without any
 * checkpoint is left alone: its first batch was given up, and where it started is unknown.
 */
async function registerTailGaps(
  pipeline: string,
  coverage: Extract<Coverage, { kind: 'on-failure' }>,
  latest: ReadonlyMap<string, Checkpoint>,
  stores: PipelineStores,
  nowMs: number,
): Promise<boolean> {
  let recorded = false;
  for (const [pid, ranges] of coverage.ranges) {
    let checkpoint = latest.get(pid);
    // One gap per discarded batch, as the batches after each would have revealed them: each
    // failed attempt started from the checkpoint's stream time, and so must its recovery.
    for (const [, last] of [...ranges].sort((a, b) => a[0] - b[0])) {
      const gap = detectGap(pid, checkpoint, last + 1, nowMs);
      if (!gap || !checkpoint) continue;
      await stores.streamTimes.recordGap(pipeline, gap);
      checkpoint = { ...checkpoint, gaps: [...checkpoint.gaps, gap] };
      recorded = true;
    }
  }
  return recorded;
}

async function applyGap(
  spec: WindowedAggregateSpec,
  gap: Gap,
  records: readonly KafkaRecord[],
  stores: PipelineStores,
  nowMs: () => number,
): Promise<Pick<GapRecovery, 'itemWrites' | 'alreadyApplied' | 'deadLetters' | 'outcome'>> {
  const decoded = decodeForPipeline(spec, [records]).filter((g) => g.length > 0);
  const enriched = await enrichGroups(spec, decoded, {
    cache: new LookupCache(stores.tables, nowMs),
    pins: new LookupPins(stores.state, nowMs),
  });
  const plan = planBatch(spec, enriched, new Map([[gap.partitionId, gap.streamTimeMs]]));
  const { counts, refused } = await stores.aggregates.applyGapUpdates(spec, gap, plan.updates);
  // A window closed for final results while the gap was open keeps its final value: the
  // gap's records for it become WINDOW_FINAL dead letters, as late arrivals do.
  const refusal = refusedRecords(spec, enriched, plan.updates, refused, plan.stats);
  const deadLetters = await stores.deadLetters.putAll([...plan.deadLetters, ...refusal.deadLetters]);
  return {
    itemWrites: counts.fastWrites + counts.slowWrites,
    alreadyApplied: counts.alreadyApplied,
    deadLetters,
    outcome: 'closed',
  };
}

/** Whether the handed-in records are known to hold every record of the gap. */
export function covers(coverage: Coverage, gap: Gap): boolean {
  if (coverage.kind === 'topic') return true;
  const ranges = [...(coverage.ranges.get(gap.partitionId) ?? [])]
    .filter(([first, last]) => last >= gap.startOffset && first < gap.endOffset)
    .sort((a, b) => a[0] - b[0]);
  let next = gap.startOffset;
  for (const [first, last] of ranges) {
    if (first > next) return false;
    next = Math.max(next, last + 1);
  }
  return next >= gap.endOffset;
}

function uniqueByOffset(records: readonly KafkaRecord[]): KafkaRecord[] {
  const byOffset = new Map<number, KafkaRecord>();
  for (const r of records) byOffset.set(r.offset, r);
  return [...byOffset.values()].sort((a, b) => a.offset - b.offset);
}
