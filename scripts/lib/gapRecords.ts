import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { RecoveryError } from '../../shared/engine/errors/index.js';
import type { KafkaRecord } from '../../shared/engine/event/kafkaRecord.js';
import type { Gap } from '../../shared/engine/store/gap.js';
import { fromKafkajsMessage } from '../../shared/local/eventSourceMapping/index.js';
import { withAdmin } from './kafkaConnect.js';

/** Default time {@link readGapRecords} waits for the next record of a range before giving up. */
export const DEFAULT_GAP_READ_IDLE_MS = 15_000;

/** The partition number of a partition id (`<topic>-<partition>`; topics may contain `-`). */
export function partitionOf(partitionId: string): number {
  return Number(partitionId.slice(partitionId.lastIndexOf('-') + 1));
}

/**
 * Reads every record Kafka still holds in the gaps' ranges of one topic, for `recover
 * --from-topic`. Checks retention first: a gap starting below its partition's log start
 * offset lost records to retention (or DeleteRecords), and recovering the rest would
 * silently apply part of it, so that is a {@link RecoveryError} `RECORDS_NOT_RETAINED`
 * naming the partition and the offsets. A range may hold fewer records than offsets
 * (compaction, transaction markers): reading stops at the range's end or at the partition's
 * end, whichever comes first, so every record the range still has is returned.
 *
 * kafkajs has no assign-and-seek consumer: a consumer of a throwaway group seeks each
 * partition to its first gap and commits nothing; the group is deleted afterwards.
 */
export async function readGapRecords(
  kafka: Kafka,
  topic: string,
  gaps: readonly Gap[],
  idleMs: number = DEFAULT_GAP_READ_IDLE_MS,
): Promise<KafkaRecord[]> {
  if (gaps.length === 0) return [];
  // Per partition: the first offset to read and the first one past every gap.
  const wanted = new Map<number, { from: number; to: number }>();
  for (const g of gaps) {
    const p = partitionOf(g.partitionId);
    const w = wanted.get(p);
    wanted.set(p, {
      from: Math.min(w?.from ?? g.startOffset, g.startOffset),
      to: Math.max(w?.to ?? g.endOffset, g.endOffset),
    });
  }
  const offsets = await withAdmin(kafka, (admin) => admin.fetchTopicOffsets(topic));
  for (const g of gaps) {
    const o = offsets.find((x) => x.partition === partitionOf(g.partitionId));
    const low = Number(o?.low ?? Number.NaN);
    if (!o || g.startOffset < low) {
      throw new RecoveryError(
        `${g.partitionId}: offsets ${g.startOffset}..${g.endOffset - 1} are no longer retained by ${topic} (the partition starts at ${o ? low : 'an unknown offset'}); recover from the on-failure destination instead (--from)`,
        { code: 'RECORDS_NOT_RETAINED' },
      );
    }
    // Reading stops at the partition's end too: its last records may have been compacted away.
    const w = wanted.get(o.partition)!;
    w.to = Math.min(w.to, Number(o.high));
  }
  const pending = new Set([...wanted].filter(([, w]) => w.from < w.to).map(([p]) => p));
  if (pending.size === 0) return [];

  const groupId = `cli-recover-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
  const records: KafkaRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    let lastProgressMs = Date.now();
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const w = wanted.get(partition);
        if (!w || !pending.has(partition)) return;
        const offset = Number(message.offset);
        lastProgressMs = Date.now();
        if (offset >= w.from && offset < w.to) records.push(fromKafkajsMessage(topic, partition, message));
        if (offset >= w.to - 1) {
          pending.delete(partition);
          if (pending.size === 0) done();
        }
      },
    });
    for (const [partition, w] of wanted) consumer.seek({ topic, partition, offset: String(w.from) });
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (Date.now() - lastProgressMs < idleMs) return;
        clearInterval(timer);
        reject(
          new RecoveryError(
            `reading ${topic} partitions ${[...pending].join(', ')} for their gaps stopped: no record for ${idleMs} ms`,
            { code: 'RECORDS_NOT_FOUND' },
          ),
        );
      }, 200);
      finished.then(() => {
        clearInterval(timer);
        resolve();
      });
    });
  } finally {
    await consumer.disconnect();
    await withAdmin(kafka, (admin) => admin.deleteGroups([groupId])).catch(() => {});
  }
  return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}
