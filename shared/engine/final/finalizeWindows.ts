import { ConfigError } from '../errors/index.js';
import { partitionId } from '../event/lambdaKafkaEvent.js';
import type { OutputRecord } from '../output/outputRecord.js';
import type { RecordSink } from '../output/RecordSink.js';
import type { OpenWindow } from '../store/FinalWindowStore.js';
import type { PipelineStores } from '../store/PipelineStores.js';
import { finalizationBound } from './finalizationBound.js';
import { finalRecord } from './finalRecord.js';
import { type FinalResultsSpec, finalTopicOf } from './finalResultsSpec.js';

/** A pipeline whose windows can be finalized: any kind that writes aggregate items with a close time. */
export interface FinalizablePipeline {
  readonly name: string;
  readonly topic: string;
  readonly final: FinalResultsSpec;
}

/** What one finalization pass did. */
export interface FinalizeCounts {
  /** The close time up to which windows were final (-Infinity: none yet). */
  readonly boundMs: number;
  /** Windows sent to the final topic (copies of an earlier crashed pass included). */
  readonly emitted: number;
  /** Final marks set by this pass. */
  readonly marked: number;
}

/** Windows finalized per round: one send and at most this many marks per round. */
const WINDOWS_PER_ROUND = 100;

/**
 * Where a finalization pass keeps the wall-clock time of the pipeline's first pass (the
 * state table), from which a partition that never delivered anything counts as idle.
 */
export function finalStartedKey(pipeline: string): string {
  return `${pipeline}#final#started`;
}

/**
 * One finalization pass of a pipeline: computes the bound from the checkpoints of every
 * declared partition (see finalizationBound), then for each open window closing at or
 * before it: close (freezes the item), send its value to the final topic, mark it final.
 * Called by the handler after a batch's checkpoints are written (the watermark may have
 * moved) and by the sweeper on a schedule (idle partitions and topics).
 *
 * Send before mark: a crash after the send and before the mark leaves the window open, and
 * the next pass sends it again (same key, header and value: a duplicate a reader drops) and
 * marks it. Mark before send could lose a window for ever. Idempotent and safe to run
 * concurrently (a handler of each partition and the sweeper): close and mark are
 * conditional writes, and concurrent passes at worst send identical copies.
 * @param maxWindows windows finalized per pass at most; the rest wait for the next pass
 */
export async function finalizeWindows(
  pipeline: FinalizablePipeline,
  deps: {
    readonly stores: PipelineStores;
    readonly sink?: RecordSink | undefined;
    readonly nowMs: () => number;
  },
  maxWindows = 1_000,
): Promise<FinalizeCounts> {
  const { stores } = deps;
  const final = pipeline.final;
  const ids = Array.from({ length: final.partitions }, (_, p) => partitionId(pipeline.topic, p));
  const checkpoints = await stores.streamTimes.latest(pipeline.name, ids);
  const nowMs = deps.nowMs();
  let startedAtMs = nowMs;
  if (final.idleAfterMs !== undefined) {
    const key = finalStartedKey(pipeline.name);
    const started = await stores.state.get<number>(key, 0);
    if (started) startedAtMs = started.value;
    // Lost race: another pass wrote it first; its time is as good as ours (both are "now").
    else await stores.state.put(key, 0, nowMs, undefined);
  }
  const boundMs = finalizationBound(final, ids, checkpoints, startedAtMs, nowMs);
  if (!Number.isFinite(boundMs) && boundMs < 0) return { boundMs, emitted: 0, marked: 0 };
  // +Infinity only if no partition is declared, which the schema rejects; clamp for the query.
  const open = await stores.finalWindows.openWindows(
    pipeline.name,
    Math.min(boundMs, Number.MAX_SAFE_INTEGER),
    maxWindows,
  );
  const topic = finalTopicOf(pipeline);
  let emitted = 0;
  let marked = 0;
  for (let i = 0; i < open.length; i += WINDOWS_PER_ROUND) {
    const round = open.slice(i, i + WINDOWS_PER_ROUND);
    const toSend: Array<{ window: OpenWindow; record: OutputRecord }> = [];
    const toMark: OpenWindow[] = [];
    for (const window of round) {
      const closed = await stores.finalWindows.close(pipeline.name, window, nowMs);
      if (!closed) continue;
      if (closed.alreadyFinal) continue;
      toSend.push({ window, record: finalRecord(topic, closed.result) });
    }
    if (toSend.length > 0) {
      if (!deps.sink) {
        throw new ConfigError(
          `pipeline ${pipeline.name} emits final results to ${topic}, but the handler was given no record sink (kafkaHandler's \`sink\` option)`,
        );
      }
      await deps.sink.send(toSend.map((s) => s.record));
      emitted += toSend.length;
      toMark.push(...toSend.map((s) => s.window));
    }
    for (const window of toMark)
      if (await stores.finalWindows.markFinal(pipeline.name, window, nowMs)) marked++;
  }
  return { boundMs, emitted, marked };
}
