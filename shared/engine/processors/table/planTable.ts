import type { DecodedRecord } from '../../decode/decodedRecord.js';
import { InvalidRecordError } from '../../errors/index.js';
import { partitionId } from '../../event/lambdaKafkaEvent.js';
import { type DeadLetter, invalidDeadLetter } from '../../process/deadLetter.js';
import type { BatchStats } from '../../process/processor.js';
import { MAX_KEY_BYTES } from '../../process/recordFields.js';
import type { StreamTimeCheckpoint } from '../../store/CheckpointStore.js';
import type { TableRowWrite } from '../../store/ReferenceTableStore.js';
import type { TableSpec } from './tableSpec.js';

/** Largest row accepted, as JSON: the row item and a lookup pin chunk must stay under 400 KB. */
export const MAX_ROW_BYTES = 250_000;

/** @see TableSpec.tombstoneRetentionMs */
export const DEFAULT_TOMBSTONE_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** What a table pipeline writes for a batch, decided before anything is written. */
export interface TablePlan {
  /** One write per distinct key: the newest change of the batch. */
  readonly writes: TableRowWrite[];
  readonly deadLetters: DeadLetter[];
  readonly checkpoints: StreamTimeCheckpoint[];
  readonly stats: BatchStats;
}

/** True when change `a` is newer than `b` (the store's order, see ReferenceTableStore.apply). */
export function isNewer(a: TableRowWrite, b: TableRowWrite): boolean {
  if (a.partition === b.partition) return a.offset > b.offset;
  return a.timestampMs > b.timestampMs || (a.timestampMs === b.timestampMs && a.partition > b.partition);
}

/**
 * Plans a table batch (pure): every keyed record is a change (a tombstone deletes); a batch
 * keeps only the newest change per key, so its writes scale with distinct keys, not records.
 * A record with no key, an undecodable value or a row too large for an item is a dead letter.
 */
export function planTable(
  spec: TableSpec,
  groups: ReadonlyArray<ReadonlyArray<DecodedRecord>>,
  nowMs: number,
): TablePlan {
  const newest = new Map<string, TableRowWrite>();
  const deadLetters: DeadLetter[] = [];
  const checkpoints: StreamTimeCheckpoint[] = [];
  const stats: BatchStats = { records: 0, aggregated: 0, filtered: 0, late: 0, lateWindows: 0, invalid: 0 };
  const reject = (d: DecodedRecord, error: InvalidRecordError) => {
    stats.invalid++;
    deadLetters.push(invalidDeadLetter(spec.name, d.record, error));
  };
  for (const group of groups) {
    const last = group[group.length - 1];
    if (!last) continue;
    for (const d of group) {
      stats.records++;
      const r = d.record;
      const tombstone = r.value === null;
      if (d.error && !tombstone) {
        reject(d, d.error);
        continue;
      }
      if (r.key === null || r.key.length === 0) {
        reject(
          d,
          new InvalidRecordError('a table row needs a Kafka key', {
            coordinates: r,
            field: 'key',
            code: 'NO_KEY',
          }),
        );
        continue;
      }
      if (r.key.length > MAX_KEY_BYTES) {
        reject(
          d,
          new InvalidRecordError(
            `key is ${r.key.length} bytes long, more than the ${MAX_KEY_BYTES} a row key allows`,
            {
              coordinates: r,
              field: 'key',
              code: 'KEY_TOO_LONG',
            },
          ),
        );
        continue;
      }
      let value: Record<string, unknown> | null = null;
      if (!tombstone) {
        value = spec.fields ? Object.fromEntries(spec.fields.map((f) => [f, d.value![f] ?? null])) : d.value!;
        const bytes = Buffer.byteLength(JSON.stringify(value));
        if (bytes > MAX_ROW_BYTES) {
          reject(
            d,
            new InvalidRecordError(
              `row is ${bytes} bytes as JSON, more than the ${MAX_ROW_BYTES} a row may hold`,
              {
                coordinates: r,
                field: 'value',
                code: 'TOO_LARGE',
              },
            ),
          );
          continue;
        }
      }
      const write: TableRowWrite = {
        key: r.key.toString('utf8'),
        value,
        partition: r.partition,
        offset: r.offset,
        timestampMs: r.timestampMs,
        ...(tombstone
          ? { expiresAtMs: nowMs + (spec.tombstoneRetentionMs ?? DEFAULT_TOMBSTONE_RETENTION_MS) }
          : {}),
      };
      const current = newest.get(write.key);
      if (!current || isNewer(write, current)) newest.set(write.key, write);
      stats.aggregated++;
    }
    checkpoints.push({
      partitionId: partitionId(last.record.topic, last.record.partition),
      offset: last.record.offset,
      streamTimeMs: Number.NEGATIVE_INFINITY,
    });
  }
  return { writes: [...newest.values()], deadLetters, checkpoints, stats };
}
