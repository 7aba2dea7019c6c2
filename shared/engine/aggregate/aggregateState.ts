import { InvalidRecordError, type RecordCoordinates } from '../errors/index.js';
import { type AggregationSpec, attributeName, DEFAULT_SCALE } from './aggregationSpec.js';

/**
 * A partial aggregate: a count and, per aggregation attribute, an integer in 10^-scale units.
 * It is a commutative monoid under {@link combine}, which is what lets a batch be
 * pre-aggregated and applied in one write per (key, window).
 */
export interface AggregateState {
  count: number;
  values: Record<string, number>;
}

/** The identity of {@link combine}. */
export function emptyState(): AggregateState {
  return { count: 0, values: {} };
}

/** Folds `b` into `a` (mutating `a`, for speed in the hot loop) and returns `a`. */
export function combine(
  a: AggregateState,
  b: AggregateState,
  specs: readonly AggregationSpec[],
): AggregateState {
  a.count += b.count;
  for (const spec of specs) {
    if (spec.op === 'count') continue;
    const name = attributeName(spec);
    const bv = b.values[name];
    if (bv === undefined) continue;
    const av = a.values[name];
    if (av === undefined) a.values[name] = bv;
    else if (spec.op === 'sum') a.values[name] = av + bv;
    else if (spec.op === 'min') a.values[name] = Math.min(av, bv);
    else a.values[name] = Math.max(av, bv);
  }
  return a;
}

/** A fresh copy, so callers can combine into it without touching the original. */
export function cloneState(s: AggregateState): AggregateState {
  return { count: s.count, values: { ...s.values } };
}

/** The state of one record of a count-only pipeline, shared: combine never mutates its second argument. */
const COUNT_ONE: AggregateState = Object.freeze({ count: 1, values: Object.freeze({}) }) as AggregateState;

/**
 * The state of a single record. A field that is missing or not a finite number makes the
 * record invalid (a dead letter naming the field), never a silent zero.
 */
export function stateOfRecord(
  value: Record<string, unknown>,
  specs: readonly AggregationSpec[],
  where: RecordCoordinates,
): AggregateState {
  if (specs.every((s) => s.op === 'count')) return COUNT_ONE;
  const values: Record<string, number> = {};
  for (const spec of specs) {
    if (spec.op === 'count') continue;
    const raw = value[spec.field];
    if (typeof raw !== 'number' || !Number.isFinite(raw)) {
      throw new InvalidRecordError(
        `field ${spec.field} is ${JSON.stringify(raw)}, expected a number to ${spec.op}`,
        {
          coordinates: where,
          field: spec.field,
          code: 'NOT_A_NUMBER',
        },
      );
    }
    values[attributeName(spec)] = toScaled(raw, spec.scale ?? DEFAULT_SCALE);
  }
  return { count: 1, values };
}

/**
 * A number as an integer of 10^-scale units. `toPrecision(15)` first removes binary noise
 * (1.005 * 100 is 100.49999999999999 in floating point), so rounding is half away from zero
 * on the decimal the user wrote.
 */
export function toScaled(value: number, scale: number): number {
  const x = value * 10 ** scale;
  // Fast path: away from a .5 boundary plain rounding is exact, and most values are there.
  // (+ 0 turns -0 into 0.)
  if (Math.abs(Math.abs(x % 1) - 0.5) > 1e-6) return Math.round(x) + 0;
  const scaled = Number(x.toPrecision(15));
  return Math.sign(scaled) * Math.round(Math.abs(scaled)) + 0;
}

/** The exact decimal string of a scaled integer, as DynamoDB stores numbers: 1234, 2 -> "12.34". */
export function scaledToDecimal(scaled: number, scale: number): string {
  if (scale === 0) return String(scaled);
  const negative = scaled < 0;
  const digits = String(Math.abs(scaled)).padStart(scale + 1, '0');
  const text = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`.replace(/\.?0+$/, '');
  return negative && text !== '0' ? `-${text}` : text;
}

/** Reads a decimal (string or number) back into scaled units. */
export function decimalToScaled(value: string | number, scale: number): number {
  return toScaled(typeof value === 'number' ? value : Number(value), scale);
}
