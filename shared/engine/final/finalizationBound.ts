import type { Checkpoint } from '../store/CheckpointStore.js';
import { isOpen } from '../store/gap.js';
import { NO_STREAM_TIME } from '../windows/index.js';
import type { FinalResultsSpec } from './finalResultsSpec.js';

/**
 * The close time up to which windows are final: a window whose end + grace is at or before
 * it can no longer change. The low watermark over the source partitions (Flink's minimum
 * over inputs), with idle partitions let go:
 *
 * - a partition that delivered records within `idleAfterMs` (wall clock) counts with its
 *   stream time: a record it delivers later is late for every window closing at or before
 *   it (the lateness rule is per partition, `end + grace <= stream time`), so it cannot
 *   change those windows;
 * - an idle partition (none is, without `idleAfterMs`: Kafka Streams waits) counts with
 *   max(its stream time, now - idleAfterMs): windows it has not passed
 *   close once their close time is `idleAfterMs` old by wall clock. A record it delivers
 *   later for such a window is refused (dead letter `WINDOW_FINAL`).
 *
 * - a partition with an open gap (a range the mapping gave up on, see store/gap) counts with
 *   the stream time before its earliest open gap, and is never idle: recovery will apply the
 *   gap's records from that stream time, and they may still change any window closing after
 *   it. So final results wait for the recovery (the OpenGaps alarm says why) rather than
 *   emit a value the recovered records would have changed.
 *
 * A declared partition without a checkpoint has stream time -Infinity and is idle from
 * `startedAtMs` (when the pipeline first tried to finalize), not from the epoch: otherwise a
 * partition whose first batch simply comes later than another's would be let go at once.
 *
 * Pure: the finalizer in the handler and the sweeper compute the same bound from the same
 * checkpoints and clock.
 * @param checkpoints by partition id, for the partitions `partitionIds` lists
 */
export function finalizationBound(
  final: Pick<FinalResultsSpec, 'idleAfterMs'>,
  partitionIds: readonly string[],
  checkpoints: ReadonlyMap<string, Checkpoint>,
  startedAtMs: number,
  nowMs: number,
): number {
  let bound = Number.POSITIVE_INFINITY;
  for (const pid of partitionIds) {
    const c = checkpoints.get(pid);
    const streamTimeMs = c?.streamTimeMs ?? NO_STREAM_TIME;
    const open = (c?.gaps ?? []).filter(isOpen);
    let partitionBound = Math.min(streamTimeMs, ...open.map((g) => g.streamTimeMs));
    if (final.idleAfterMs !== undefined && open.length === 0) {
      const lastActiveMs = c?.updatedAtMs ?? startedAtMs;
      const idleSinceMs = nowMs - final.idleAfterMs;
      if (lastActiveMs <= idleSinceMs) partitionBound = Math.max(streamTimeMs, idleSinceMs);
    }
    if (partitionBound < bound) bound = partitionBound;
  }
  return partitionIds.length === 0 ? NO_STREAM_TIME : bound;
}
