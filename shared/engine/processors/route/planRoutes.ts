import type { DecodedRecord } from '../../decode/decodedRecord.js';
import type { InvalidRecordError } from '../../errors/index.js';
import { partitionId } from '../../event/lambdaKafkaEvent.js';
import type { OutputRecord } from '../../output/outputRecord.js';
import { SOURCE_HEADER, sourceOf } from '../../output/outputRecord.js';
import { type DeadLetter, invalidDeadLetter } from '../../process/deadLetter.js';
import { matchesFilter } from '../../process/filterSpec.js';
import type { BatchStats } from '../../process/processor.js';
import { fieldValue, keyOf } from '../../process/recordFields.js';
import type { StreamTimeCheckpoint } from '../../store/CheckpointStore.js';
import type { RouteSpec } from './routeSpec.js';

/** What a route pipeline does with a batch, decided before anything is sent. */
export interface RoutePlan {
  /** In source order per partition: a consumer of one output partition sees source order. */
  readonly outputs: OutputRecord[];
  /** Records sent, per output topic (for logs and `start`'s summary). */
  readonly perTopic: Map<string, number>;
  readonly deadLetters: DeadLetter[];
  readonly checkpoints: StreamTimeCheckpoint[];
  readonly stats: BatchStats;
}

/**
 * Routes a batch (pure): each record that passes the filter goes to the first route whose
 * `when` holds, as the source bytes (or the enriched or projected value as JSON), with the
 * source key (or the spec's key) and headers plus `kls-source`. A record no route takes is
 * filtered; one that cannot be decoded or keyed is a dead letter.
 */
export function planRoutes(
  spec: RouteSpec,
  groups: ReadonlyArray<ReadonlyArray<DecodedRecord>>,
  startStreamTimes: ReadonlyMap<string, number>,
): RoutePlan {
  const outputs: OutputRecord[] = [];
  const perTopic = new Map<string, number>();
  const deadLetters: DeadLetter[] = [];
  const checkpoints: StreamTimeCheckpoint[] = [];
  const stats: BatchStats = { records: 0, aggregated: 0, filtered: 0, late: 0, lateWindows: 0, invalid: 0 };
  const reencode = (spec.enrich?.length ?? 0) > 0;
  for (const group of groups) {
    const last = group[group.length - 1];
    if (!last) continue;
    for (const d of group) {
      stats.records++;
      if (d.error) {
        stats.invalid++;
        deadLetters.push(invalidDeadLetter(spec.name, d.record, d.error));
        continue;
      }
      const route = matchesFilter(d.value, spec.filter)
        ? spec.routes.find((r) => matchesFilter(d.value, r.when))
        : undefined;
      if (!route) {
        stats.filtered++;
        continue;
      }
      let key: Buffer | null;
      try {
        key = spec.key ? Buffer.from(keyOf({ key: spec.key }, d)) : d.record.key;
      } catch (err) {
        stats.invalid++;
        deadLetters.push(invalidDeadLetter(spec.name, d.record, err as InvalidRecordError));
        continue;
      }
      const value = route.fields
        ? Buffer.from(
            JSON.stringify(Object.fromEntries(route.fields.map((f) => [f, fieldValue(d.value, f) ?? null]))),
          )
        : reencode
          ? Buffer.from(JSON.stringify(d.value))
          : d.record.value;
      outputs.push({
        topic: route.to,
        key,
        value,
        headers: [
          ...(spec.headers === 'drop' ? [] : d.record.headers.filter((h) => h.name !== SOURCE_HEADER)),
          { name: SOURCE_HEADER, value: Buffer.from(sourceOf(spec.name, d.record)) },
        ],
        timestampMs: d.record.timestampMs,
      });
      perTopic.set(route.to, (perTopic.get(route.to) ?? 0) + 1);
      stats.aggregated++;
    }
    const pid = partitionId(last.record.topic, last.record.partition);
    // Routing keeps no stream time; the checkpoint marks the records as sent.
    checkpoints.push({
      partitionId: pid,
      offset: last.record.offset,
      streamTimeMs: startStreamTimes.get(pid) ?? Number.NEGATIVE_INFINITY,
    });
  }
  return { outputs, perTopic, deadLetters, checkpoints, stats };
}
