import type { JoinSpec } from './joinSpec.js';
import type { BufferEntry } from './planJoin.js';

/** One output of a join: a left and a right record with the same key, close enough in time. */
export interface JoinPair {
  /** `<left record id>|<right record id>`: the same pair whoever finds it, however often. */
  readonly id: string;
  readonly key: string;
  /** max(left time, right time), the time Kafka Streams gives a join result. */
  readonly timeMs: number;
  readonly leftId: string;
  readonly rightId: string;
  readonly leftTimeMs: number;
  readonly rightTimeMs: number;
  readonly value: Readonly<Record<string, unknown>>;
}

/**
 * The pair of two buffer entries (pure), or undefined when they do not pair: another key,
 * the same side, or times further apart than the window (and the spec's narrower condition).
 * Symmetric: `pairOf(spec, a, b)` and `pairOf(spec, b, a)` give the same pair, so the
 * invocation that buffered either record can write it.
 */
export function pairOf(spec: JoinSpec, a: BufferEntry, b: BufferEntry): JoinPair | undefined {
  if (a.key !== b.key || a.side === b.side) return undefined;
  const [left, right] = a.side === 'left' ? [a, b] : [b, a];
  const maxMs = Math.min(spec.windowMs, spec.maxTimeDifferenceMs ?? spec.windowMs);
  if (Math.abs(left.timeMs - right.timeMs) > maxMs) return undefined;
  const value = spec.select
    ? Object.fromEntries(
        spec.select.map((s) => [s.as ?? s.field, (s.side === 'left' ? left : right).value[s.field] ?? null]),
      )
    : { left: left.value, right: right.value };
  return {
    id: `${left.id}|${right.id}`,
    key: left.key,
    timeMs: Math.max(left.timeMs, right.timeMs),
    leftId: left.id,
    rightId: right.id,
    leftTimeMs: left.timeMs,
    rightTimeMs: right.timeMs,
    value,
  };
}
