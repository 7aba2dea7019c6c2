import type { DecodedRecord } from '../decode/decodedRecord.js';
import { partitionId } from '../event/lambdaKafkaEvent.js';
import type { Checkpoint } from '../store/CheckpointStore.js';

/**
 * Drops the records a completed earlier delivery already applied and says where stream time
 * stands for the rest. The newest checkpoint of a partition at offset `c` means every record
 * up to `c` is fully applied (items, dead letters), so those are skipped without a single
 * write; the records after it start from the checkpoint's stream time. This turns the
 * common redelivery (a crash after the writes, before Lambda committed the offsets) into
 * one read per partition, and makes the item high-water marks the safety net rather than
 * the everyday path.
 */
export function skipApplied(
  groups: ReadonlyArray<ReadonlyArray<DecodedRecord>>,
  latest: ReadonlyMap<string, Checkpoint>,
): { groups: DecodedRecord[][]; startStreamTimes: Map<string, number>; skipped: number } {
  const out: DecodedRecord[][] = [];
  const startStreamTimes = new Map<string, number>();
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
    startStreamTimes.set(pid, checkpoint.streamTimeMs);
    const rest = group.filter((d) => d.record.offset > checkpoint.offset);
    skipped += group.length - rest.length;
    if (rest.length > 0) out.push(rest);
  }
  return { groups: out, startStreamTimes, skipped };
}
