import type { DecodedRecord } from '../decode/decodedRecord.js';
import { partitionId } from '../event/lambdaKafkaEvent.js';
import type { Checkpoint } from '../store/CheckpointStore.js';
import { detectGap, type Gap, inGap, isOpen } from '../store/gap.js';

/** What {@link skipApplied} leaves to process, and what it found. */
export interface PendingRecords {
  readonly groups: DecodedRecord[][];
  readonly startStreamTimes: Map<string, number>;
  readonly skipped: number;
  /** Gaps this batch reveals (to record before any write; see detectGap). */
  readonly newGaps: Gap[];
  /** Open gaps per partition id, new ones included: item writes must record how far each item had applied them. */
  readonly openGaps: Map<string, Gap[]>;
}

/**
 * Drops the records a completed earlier delivery already applied and says where stream time
 * stands for the rest. The newest checkpoint of a partition at offset `c` means every record
 * up to `c` is fully applied (items, dead letters), so those are skipped without a single
 * write; the records after it start from the checkpoint's stream time. This turns the
 * common redelivery (a crash after the writes, before Lambda committed the offsets) into
 * one read per partition, and makes the item high-water marks the safety net rather than
 * the everyday path.
 *
 * Records inside a recorded gap (an offset reset that redelivers a range the mapping once
 * gave up on) are skipped too: a gap's records are recovery's to apply, with the gap's own
 * stream time, so that they are applied once whichever path reaches them.
 *
 * With `detectGaps` false (OFFSET_GAPS=off: records legitimately never reach the function, so
 * a jump in offsets means nothing), a jump records no gap; gaps recorded before still count.
 */
export function skipApplied(
  groups: ReadonlyArray<ReadonlyArray<DecodedRecord>>,
  latest: ReadonlyMap<string, Checkpoint>,
  nowMs: number = Date.now(),
  detectGaps = true,
): PendingRecords {
  const out: DecodedRecord[][] = [];
  const startStreamTimes = new Map<string, number>();
  const newGaps: Gap[] = [];
  const openGaps = new Map<string, Gap[]>();
  let skipped = 0;
  for (const group of groups) {
    const first = group[0];
    if (!first) continue;
    const pid = partitionId(first.record.topic, first.record.partition);
    const checkpoint = latest.get(pid);
    if (!checkpoint) {
      out.push([...group]);
      continue;
    }
    const gap = detectGaps ? detectGap(pid, checkpoint, first.record.offset, nowMs) : null;
    const gaps = gap ? [...checkpoint.gaps, gap] : checkpoint.gaps;
    if (gap) newGaps.push(gap);
    const open = gaps.filter(isOpen);
    if (open.length > 0) openGaps.set(pid, open);
    startStreamTimes.set(pid, checkpoint.streamTimeMs);
    const rest = group.filter(
      (d) => d.record.offset > checkpoint.offset && !gaps.some((g) => inGap(g, d.record.offset)),
    );
    skipped += group.length - rest.length;
    if (rest.length > 0) out.push(rest);
  }
  return { groups: out, startStreamTimes, skipped, newGaps, openGaps };
}
