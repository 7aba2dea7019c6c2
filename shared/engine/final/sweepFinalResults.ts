import type { RecordSink } from '../output/RecordSink.js';
import type { PipelineSpec } from '../process/pipelineSpec.js';
import type { PipelineStores } from '../store/PipelineStores.js';
import { type FinalizablePipeline, type FinalizeCounts, finalizeWindows } from './finalizeWindows.js';

/** The pipelines of a catalog or handler that emit final results, as the finalizer needs them. */
export function finalizablePipelinesOf(pipelines: readonly PipelineSpec[]): FinalizablePipeline[] {
  return pipelines.flatMap((p) =>
    p.kind === 'windowed-aggregate' && p.final ? [{ name: p.name, topic: p.topic, final: p.final }] : [],
  );
}

/**
 * The sweeper's work: one finalization pass of every final-results pipeline given. Lambda
 * runs handlers only when records arrive, so windows that only idleness (or the passing of
 * wall-clock time on a quiet topic) closes are emitted by this, run on a schedule (the CDK
 * app's `FinalResultsSweeper`, `npm run cli -- sweep` locally). Failures of one pipeline do
 * not stop the others; the first is rethrown after all ran, so the schedule's run fails visibly.
 * Pipelines without final results are skipped.
 */
export async function sweepFinalResults(
  pipelines: readonly (PipelineSpec | FinalizablePipeline)[],
  deps: {
    readonly stores: PipelineStores;
    readonly sink?: RecordSink | undefined;
    readonly nowMs: () => number;
  },
): Promise<Map<string, FinalizeCounts>> {
  // A spec has a kind; a FinalizablePipeline (the sweeper function's environment) is final already.
  const finalizable = pipelines.flatMap((p) =>
    'kind' in p ? finalizablePipelinesOf([p]) : [p as FinalizablePipeline],
  );
  const settled = await Promise.allSettled(finalizable.map((p) => finalizeWindows(p, deps)));
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return new Map(
    finalizable.map((p, i) => [p.name, (settled[i] as PromiseFulfilledResult<FinalizeCounts>).value]),
  );
}
