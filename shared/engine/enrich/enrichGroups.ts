import type { DecodedRecord } from '../decode/decodedRecord.js';
import { InvalidRecordError } from '../errors/index.js';
import { partitionId } from '../event/lambdaKafkaEvent.js';
import { matchesFilter } from '../process/filterSpec.js';
import type { BasePipelineSpec } from '../process/pipelineSpec.js';
import { fieldValue, keyOf } from '../process/recordFields.js';
import type { EnrichSpec } from './enrichSpec.js';
import type { LookedUpRow, LookupCache } from './lookupCache.js';
import type { LookupPins, PinnedRows, PinSegment } from './lookupPins.js';

/** @see EnrichSpec.maxStalenessMs */
export const DEFAULT_MAX_STALENESS_MS = 60_000;

/** What an enrich step needs: the container's row cache and the pins that make it repeatable. */
export interface EnrichContext {
  readonly cache: LookupCache;
  readonly pins: LookupPins;
}

/**
 * Runs a pipeline's enrich steps over a batch (records per partition, in offset order):
 * every record its filter lets through gets each lookup's row under `as`, or null, or
 * becomes invalid (`NO_TABLE_ROW`) when the lookup says `onMissing: 'dead-letter'`.
 * Records the filter drops, and records that failed to decode, pass unchanged (the
 * processor counts them). Records a failed earlier attempt enriched get the rows it pinned
 * (see {@link LookupPins}); the rest are looked up through the cache, and their rows are
 * pinned before this returns, so before the processor writes anything.
 */
export async function enrichGroups(
  spec: BasePipelineSpec,
  groups: ReadonlyArray<ReadonlyArray<DecodedRecord>>,
  context: EnrichContext,
): Promise<DecodedRecord[][]> {
  const steps = spec.enrich ?? [];
  if (steps.length === 0) return groups.map((g) => [...g]);
  return Promise.all(groups.map((group) => enrichPartition(spec, steps, group, context)));
}

async function enrichPartition(
  spec: BasePipelineSpec,
  steps: readonly EnrichSpec[],
  group: ReadonlyArray<DecodedRecord>,
  { cache, pins }: EnrichContext,
): Promise<DecodedRecord[]> {
  const first = group[0];
  if (!first) return [];
  const pid = partitionId(first.record.topic, first.record.partition);
  const { segments, stale } = await pins.read(spec.name, pid, first.record.offset);
  const pinnedTo = segments.reduce((to, s) => Math.max(to, s.to), -1);
  const segmentOf = (offset: number): PinSegment | undefined =>
    segments.find((s) => offset >= s.from && offset <= s.to);

  // The lookup key of each (record, step): a string, or undefined when the field is missing.
  const candidates = group.filter((d) => !d.error && matchesFilter(d.value!, spec.filter));
  const keys = new Map<DecodedRecord, Array<string | undefined | InvalidRecordError>>();
  for (const d of candidates)
    keys.set(
      d,
      steps.map((step) => lookupKey(step, d)),
    );

  // Fresh lookups: records past every pin, and any key a pin lacks (defensive: a pinned
  // range holds every key its records looked up, since they are the same records).
  const fresh = new Map<EnrichSpec, Set<string>>(steps.map((s) => [s, new Set<string>()]));
  for (const [d, ks] of keys) {
    const segment = d.record.offset <= pinnedTo ? segmentOf(d.record.offset) : undefined;
    steps.forEach((step, i) => {
      const k = ks[i];
      if (typeof k !== 'string') return;
      if (segment?.rows[step.table] && k in segment.rows[step.table]!) return;
      fresh.get(step)!.add(k);
    });
  }
  const freshRows: PinnedRows = {};
  for (const step of steps) {
    const wanted = fresh.get(step)!;
    if (wanted.size === 0) continue;
    const rows = await cache.rows(step.table, wanted, step.maxStalenessMs ?? DEFAULT_MAX_STALENESS_MS);
    Object.assign((freshRows[step.table] ??= {}), Object.fromEntries(rows));
  }
  const last = group[group.length - 1]!.record.offset;
  const firstFresh = group.find((d) => d.record.offset > pinnedTo);
  if (firstFresh && Object.keys(freshRows).length > 0) {
    await pins.write(spec.name, pid, { from: firstFresh.record.offset, to: last, rows: freshRows }, stale);
  }

  return group.map((d): DecodedRecord => {
    const ks = keys.get(d);
    if (!ks) return d;
    const segment = d.record.offset <= pinnedTo ? segmentOf(d.record.offset) : undefined;
    const value: Record<string, unknown> = { ...d.value };
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      const k = ks[i];
      if (k instanceof InvalidRecordError) return { record: d.record, error: k };
      let row: LookedUpRow = null;
      if (typeof k === 'string') {
        const pinned = segment?.rows[step.table];
        row = (pinned && k in pinned ? pinned[k] : freshRows[step.table]?.[k]) ?? null;
      }
      if (row === null && step.onMissing === 'dead-letter') {
        return {
          record: d.record,
          error: new InvalidRecordError(
            k === undefined
              ? `lookup field ${step.keyField} is missing, and ${step.as} needs a row of table ${step.table}`
              : `table ${step.table} has no row for ${step.keyField} ${JSON.stringify(k)}`,
            { coordinates: d.record, field: step.keyField, code: 'NO_TABLE_ROW' },
          ),
        };
      }
      value[step.as] = row === null ? null : project(row, step.fields);
    }
    return { record: d.record, value };
  });
}

/** The lookup key of a record for a step: undefined when missing, an error when unusable. */
function lookupKey(step: EnrichSpec, d: DecodedRecord): string | undefined | InvalidRecordError {
  if (d.error) return undefined;
  const v = fieldValue(d.value, step.keyField);
  if (v === undefined || v === null || v === '') return undefined;
  try {
    return keyOf({ key: { field: step.keyField } }, { record: d.record, value: d.value });
  } catch (err) {
    return err as InvalidRecordError;
  }
}

function project(row: Readonly<Record<string, unknown>>, fields: readonly string[] | undefined) {
  if (!fields) return row;
  return Object.fromEntries(fields.map((f) => [f, row[f] ?? null]));
}
