import { type KafkaRecord, partitionId, toLambdaRecord } from '../../engine/event/index.js';
import { EventSizer } from './EventSizer.js';

/** A record waiting for its batch, with what batching needs to know about it. */
export interface PendingRecord {
  readonly record: KafkaRecord;
  /** `"topic-partition"`, the key of its group in the event. */
  readonly partitionId: string;
  /** JSON bytes of the record as Lambda encodes it (base64 key and value). */
  readonly bytes: number;
  /** When the runner received it (epoch ms); the batching window runs from the oldest pending record. */
  readonly arrivedAtMs: number;
}

/**
 * The three limits of an event-source mapping batch; a batch is sent at whichever is reached
 * first.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html (batching behaviour)
 * @see https://docs.aws.amazon.com/lambda/latest/dg/API_EventSourceMappingConfiguration.html (BatchSize: 1 to 10,000, 6 MB)
 */
export interface BatchLimits {
  /** Records per invocation. */
  readonly batchSize: number;
  /** How long to gather records, from the oldest pending one. */
  readonly maximumBatchingWindowMs: number;
  /** Event size cap in JSON bytes (6 MB). */
  readonly maxPayloadBytes: number;
  /** Size of an event without records (depends on event source, ARN and bootstrap servers). */
  readonly envelopeBytes: number;
}

/** Wraps a record for the pending queue. */
export function toPendingRecord(record: KafkaRecord, arrivedAtMs: number): PendingRecord {
  return {
    record,
    partitionId: partitionId(record.topic, record.partition),
    bytes: Buffer.byteLength(JSON.stringify(toLambdaRecord(record)), 'utf8'),
    arrivedAtMs,
  };
}

/** Whether the pending records make a batch now, and if not, how long until the window closes. */
export type Readiness =
  | { readonly ready: true; readonly reason: 'batch-size' | 'payload' | 'window' }
  | { readonly ready: false; readonly waitMs: number };

/**
 * Decides whether to invoke now. Ready when the pending records fill a batch (count), would
 * not fit in one payload (size), or the oldest has waited the batching window.
 * `waitMs` is `Infinity` when nothing is pending.
 */
export function batchReadiness(
  pending: {
    readonly count: number;
    readonly sizeBytes: number;
    readonly oldestArrivalMs: number | undefined;
  },
  nowMs: number,
  limits: BatchLimits,
): Readiness {
  if (pending.count === 0 || pending.oldestArrivalMs === undefined) return { ready: false, waitMs: Infinity };
  if (pending.count >= limits.batchSize) return { ready: true, reason: 'batch-size' };
  if (pending.sizeBytes > limits.maxPayloadBytes) return { ready: true, reason: 'payload' };
  const waitedMs = nowMs - pending.oldestArrivalMs;
  if (waitedMs >= limits.maximumBatchingWindowMs) return { ready: true, reason: 'window' };
  return { ready: false, waitMs: limits.maximumBatchingWindowMs - waitedMs };
}

/** How many records from the head of the queue make the next batch. */
export interface BatchCut {
  readonly count: number;
  /** Exact JSON size of the event those records make. */
  readonly sizeBytes: number;
  /**
   * True when the first record alone exceeds the payload cap: it can never be delivered, and
   * goes to the on-failure destination (Lambda's `MaximumPayloadSizeExceeded` condition).
   */
  readonly oversized: boolean;
}

/**
 * Takes the longest prefix of the pending queue that fits both the batch size and the
 * payload cap. Taking a prefix of the arrival order keeps each partition's records in offset
 * order while one batch mixes partitions, as Lambda's batches do.
 */
export function cutBatch(pending: readonly PendingRecord[], limits: BatchLimits): BatchCut {
  const sizer = new EventSizer(limits.envelopeBytes);
  for (const p of pending) {
    if (sizer.count >= limits.batchSize) break;
    const next = sizer.sizeWith(p.partitionId, p.bytes);
    if (next > limits.maxPayloadBytes) {
      if (sizer.count === 0) return { count: 1, sizeBytes: next, oversized: true };
      break;
    }
    sizer.add(p.partitionId, p.bytes);
  }
  return { count: sizer.count, sizeBytes: sizer.sizeBytes, oversized: false };
}
