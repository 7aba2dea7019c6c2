import type { LambdaKafkaEvent } from '../../shared/engine/event/index.js';
import type { BatchSource } from './batchSource.js';
import { createSourceIssues, type SourceIssues } from './sourceRecords.js';

/**
 * Several sources delivered as one run, one batch of each in turn (the first source's first),
 * until every source is exhausted; each source keeps its own order. This is what two
 * event-source mappings polling two topics side by side look like to the shared tables.
 *
 * Round robin rather than a merge by event time: a join's stream time is per topic-partition
 * (each side's checkpoints), so which records are late, and hence which pairs exist, does not
 * depend on how the topics interleave, only on each topic's own order (a test pins it). A
 * fixed, documented order keeps a rerun a redelivery of the same batches.
 */
export function interleavedBatchSource(sources: readonly BatchSource[]): BatchSource {
  return {
    description: sources.map((s) => s.description).join(' + '),
    async *batches(): AsyncGenerator<LambdaKafkaEvent> {
      const iterators = sources.map((s) => s.batches()[Symbol.asyncIterator]());
      let open = [...iterators];
      while (open.length > 0) {
        const still: typeof open = [];
        for (const it of open) {
          const next = await it.next();
          if (next.done) continue;
          yield next.value;
          still.push(it);
        }
        open = still;
      }
    },
    // Read after (or during) a run: the sum of what each source found in its file.
    get issues(): SourceIssues {
      const merged = createSourceIssues();
      for (const s of sources) {
        for (const [kind, n] of Object.entries(s.issues.counts) as [keyof SourceIssues['counts'], number][]) {
          merged.counts[kind] += n;
        }
        for (const m of s.issues.messages) merged.messages.push(m);
      }
      return merged;
    },
  };
}
