import { ConfigError } from '../errors/index.js';
import type { Checkpoint } from './CheckpointStore.js';

/**
 * A range of one partition that the event-source mapping gave up on (retries exhausted,
 * records expired) and moved past: `[startOffset, endOffset)`. Its records were applied
 * partly or not at all; recovery applies the rest later (see recoverGap).
 *
 * Found when a batch of the partition starts past the offset its checkpoint says comes
 * next, so it is a *suspected* gap: on compacted topics and topics written by transactional
 * producers, offsets are not contiguous (removed records and commit markers take offsets),
 * and a jump may hide no record at all. Recovery from Kafka that finds no record in the
 * range closes such a gap as a non-gap.
 */
export interface Gap {
  readonly partitionId: string;
  /** First offset the mapping did not complete (the checkpoint's offset + 1). */
  readonly startOffset: number;
  /** First offset of the batch that came after the gap (exclusive end). */
  readonly endOffset: number;
  /**
   * Stream time just before `startOffset`, as the records after the gap were decided with:
   * recovery decides the gap's lateness from here, in order, as the failed attempts did.
   * -Infinity when none.
   */
  readonly streamTimeMs: number;
  /** Wall-clock time the gap was first seen (epoch ms), for the listing and the alarm. */
  readonly detectedAtMs: number;
  /** Set once every record of the gap is applied; closed gaps are kept for the record. */
  readonly closedAtMs?: number;
  /** Why it was closed: `recovered` (records applied) or `no-records` (a suspected gap that held none). */
  readonly closedReason?: 'recovered' | 'no-records';
}

/**
 * The gap a batch reveals, if any: the partition's first offset in the batch lies past
 * the one after its checkpoint, and past every gap already recorded (a second give-up
 * before any batch succeeded starts where the first gap ended).
 *
 * Pure. A partition without a checkpoint reveals nothing: the mapping's starting position
 * (LATEST, or offsets deleted by retention) makes a first offset above 0 normal.
 */
export function detectGap(
  partitionId: string,
  checkpoint: Checkpoint | undefined,
  firstOffset: number,
  nowMs: number,
): Gap | null {
  if (!checkpoint) return null;
  let next = checkpoint.offset + 1;
  for (const g of checkpoint.gaps) if (g.endOffset > next) next = g.endOffset;
  if (firstOffset <= next) return null;
  return {
    partitionId,
    startOffset: next,
    endOffset: firstOffset,
    streamTimeMs: checkpoint.streamTimeMs,
    detectedAtMs: nowMs,
  };
}

/** Whether a gap still waits for recovery. */
export function isOpen(gap: Gap): boolean {
  return gap.closedAtMs === undefined;
}

/** Whether `offset` lies in the gap. */
export function inGap(gap: Gap, offset: number): boolean {
  return offset >= gap.startOffset && offset < gap.endOffset;
}

/**
 * How far an item had applied a gap, from what the item holds: its gap attribute (written
 * by the first write after the gap was recorded, then by recovery) is the authority; without
 * one, no write since the gap touched the item, so its high-water mark still says how far
 * the failed attempts got (below the gap: none of it; inside: up to the mark; at or past the
 * end: all of it, a failed attempt whose batch reached beyond the gap).
 * @returns the highest offset of the gap the item has applied; `startOffset - 1` for none.
 */
export function gapProgress(gap: Gap, gapMark: number | undefined, highWater: number | undefined): number {
  if (gapMark !== undefined) return gapMark;
  if (highWater === undefined) return gap.startOffset - 1;
  return Math.min(Math.max(highWater, gap.startOffset - 1), gap.endOffset - 1);
}

/** The item attribute that holds how far the item has applied a gap (see {@link gapProgress}). */
export function gapAttribute(gap: Pick<Gap, 'partitionId' | 'startOffset'>): string {
  return `gap:${gap.partitionId}:${gap.startOffset}`;
}

/**
 * The environment variable that turns gap detection off for a handler: `off`. Gap detection
 * takes a jump in a partition's offsets for records the mapping gave up on; when records
 * legitimately never reach the function, a jump means nothing and detection would report
 * gaps that hold no records, hold final results back and keep the OpenGaps alarm on:
 * the mapping filters records (`FilterCriteria` pushed down: Lambda commits the offsets of
 * records it dropped), validates them against a schema registry (failing records go to the
 * on-failure destination instead), or the topic is compacted or written by transactional
 * producers (removed records and commit markers take offsets). The CDK app sets it on the
 * first two; set it yourself for the last.
 */
export const OFFSET_GAPS_ENV = 'OFFSET_GAPS';

/**
 * Whether a handler detects gaps, from {@link OFFSET_GAPS_ENV}: unset or `detect` → yes,
 * `off` → no; anything else is a ConfigError at cold start rather than a guess.
 */
export function gapDetectionFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[OFFSET_GAPS_ENV];
  if (value === undefined || value === '' || value === 'detect') return true;
  if (value === 'off') return false;
  throw new ConfigError(`${OFFSET_GAPS_ENV} must be "detect" or "off", not ${JSON.stringify(value)}`);
}
