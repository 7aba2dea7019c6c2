import { LookupCache } from '../../shared/engine/enrich/index.js';
import type { LambdaKafkaEvent } from '../../shared/engine/event/index.js';
import type { RecordSink } from '../../shared/engine/output/index.js';
import { type HandlerSpec, processEvent } from '../../shared/engine/process/index.js';
import type { PipelineStores } from '../../shared/engine/store/index.js';
import { type BatchSource, recordCount } from './batchSource.js';
import type { Output } from './output.js';
import { createProgress } from './progress.js';
import { formatSourceIssues, issueLines, type SourceIssueCounts } from './sourceRecords.js';
import { formatTable } from './textTable.js';

/** What one pipeline did over a whole replay, summed over batches. */
export interface PipelineTotals {
  pipeline: string;
  records: number;
  aggregated: number;
  filtered: number;
  late: number;
  lateWindows: number;
  invalid: number;
  /** Distinct (key, window) items per batch, summed: what pre-aggregation reduced the records to. */
  items: number;
  /** Item writes actually made (fast + slow path); 0 for a pure redelivery. */
  itemWrites: number;
  /** Records skipped because a completed earlier delivery had applied them (a redelivery). */
  redelivered: number;
  /** Items whose contribution an earlier, interrupted delivery had already written. */
  itemsAlreadyApplied: number;
  deadLettersWritten: number;
}

/** The totals of a replay. */
export interface ReplayTotals {
  batches: number;
  records: number;
  pipelines: PipelineTotals[];
  /** Input lines not taken as written (see {@link SourceIssueCounts}); all 0 when not from a file. */
  input: SourceIssueCounts;
}

/** How {@link feedBatches} picks the handlers of an event. */
export interface FeedOptions {
  /**
   * Deliver each event only to the handlers whose topic is the event's, as one mapping per
   * topic would: for runs that feed several topics (both sides of a join). Off, every
   * handler sees every event, so a handler named for another topic dead-letters it as
   * WRONG_TOPIC, as a mapping pointed at the wrong topic would.
   * @default false
   */
  readonly routeByTopic?: boolean;
}

/**
 * Delivers every event to every handler, one event at a time (a partition's batches must be
 * applied in order; the handlers of one event run concurrently, as separate event-source
 * mappings would). Runs the handlers' core (`processEvent`), the same code `kafkaHandler`
 * wraps, without the Lambda middleware.
 */
export async function feedBatches(
  batches: AsyncIterable<LambdaKafkaEvent>,
  handlers: readonly HandlerSpec[],
  stores: PipelineStores,
  onProgress?: (done: { batches: number; records: number }) => void,
  sink?: RecordSink,
  options: FeedOptions = {},
): Promise<ReplayTotals> {
  const totals = new Map<string, PipelineTotals>();
  for (const h of handlers) for (const p of h.pipelines) totals.set(p.name, emptyTotals(p.name));
  // One lookup cache per handler for the whole run, as a warm container keeps one across
  // invocations: otherwise every batch would read the zones it needs again.
  const lookups = handlers.map(() => new LookupCache(stores.tables));
  let batchCount = 0;
  let records = 0;
  for await (const event of batches) {
    const topic = options.routeByTopic ? topicOfEvent(event) : undefined;
    const outcomes = (
      await Promise.all(
        handlers.map((h, i) =>
          topic !== undefined && h.topic !== topic
            ? []
            : processEvent(h, event, stores, { lookups: lookups[i], ...(sink ? { sink } : {}) }),
        ),
      )
    ).flat();
    for (const o of outcomes) {
      const t = totals.get(o.pipeline)!;
      t.records += o.stats.records;
      t.aggregated += o.stats.aggregated;
      t.filtered += o.stats.filtered;
      t.late += o.stats.late;
      t.lateWindows += o.stats.lateWindows;
      t.invalid += o.stats.invalid;
      t.items += o.items;
      t.itemWrites += o.writes.itemWrites;
      t.redelivered += o.stats.alreadyApplied;
      t.itemsAlreadyApplied += o.writes.alreadyApplied;
      t.deadLettersWritten += o.deadLettersWritten;
    }
    batchCount++;
    records += recordCount(event);
    onProgress?.({ batches: batchCount, records });
  }
  return {
    batches: batchCount,
    records,
    pipelines: [...totals.values()],
    input: { malformed: 0, badTimestamps: 0, missingKeys: 0, blankLines: 0 },
  };
}

/** The topic of an event's first record (a file source's events hold one topic each). */
function topicOfEvent(event: LambdaKafkaEvent): string | undefined {
  for (const group of Object.values(event.records)) if (group[0]) return group[0].topic;
  return undefined;
}

function emptyTotals(pipeline: string): PipelineTotals {
  return {
    pipeline,
    records: 0,
    aggregated: 0,
    filtered: 0,
    late: 0,
    lateWindows: 0,
    invalid: 0,
    items: 0,
    itemWrites: 0,
    redelivered: 0,
    itemsAlreadyApplied: 0,
    deadLettersWritten: 0,
  };
}

/**
 * The replay summary table. `writes/record` shows the pre-aggregation at work: one write per
 * distinct (key, window) of a batch instead of one per record. `redelivered` counts records
 * an earlier completed delivery had applied: they cost no write at all.
 */
export function formatReplayTotals(totals: ReplayTotals): string[] {
  const rows = totals.pipelines.map((p) => [
    p.pipeline,
    p.records,
    p.aggregated,
    p.filtered,
    p.late,
    p.invalid,
    p.itemWrites,
    p.records === 0 ? '-' : (p.itemWrites / p.records).toFixed(2),
    p.redelivered,
  ]);
  const input = formatSourceIssues(totals.input);
  return [
    `${totals.records} records in ${totals.batches} batches${input ? ` (input: ${input})` : ''}`,
    ...formatTable(
      [
        'pipeline',
        'records',
        'aggregated',
        'filtered',
        'late',
        'invalid',
        'item writes',
        'writes/record',
        'redelivered',
      ],
      rows,
      ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
  ];
}

/**
 * {@link feedBatches} with a progress report on stderr for long inputs, then the input lines
 * not taken as written (the first few, each naming file:line) on stderr and the totals table
 * on stdout: what `replay` and `start` both show while they feed a file.
 */
export async function feedBatchesWithProgress(
  source: BatchSource,
  handlers: readonly HandlerSpec[],
  stores: PipelineStores,
  output: Output,
  expectedRecords: number,
  sink?: RecordSink,
  options: FeedOptions = {},
): Promise<ReplayTotals> {
  const progress = createProgress(output, expectedRecords);
  let totals: ReplayTotals;
  try {
    totals = await feedBatches(
      source.batches(),
      handlers,
      stores,
      ({ records }) => progress.update(records),
      sink,
      options,
    );
  } finally {
    progress.stop();
  }
  totals.input = { ...source.issues.counts };
  for (const line of issueLines(source.issues)) output.err(`input: ${line}`);
  for (const line of formatReplayTotals(totals)) output.out(line);
  return totals;
}
