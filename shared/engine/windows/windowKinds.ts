import * as z from 'zod/mini';
import '../zodLocale.js';
import { hoppingWindows } from './hopping.js';
import { ALL_TIME, type TimeWindow } from './timeWindow.js';
import { tumblingWindow } from './tumbling.js';

/**
 * How records are put in windows. A plain data object so a pipeline spec (and the CDK app,
 * and a JSON config) can carry it.
 */
export type WindowSpec =
  | { readonly type: 'tumbling'; readonly sizeMs: number; readonly graceMs: number }
  | {
      readonly type: 'hopping';
      readonly sizeMs: number;
      readonly advanceMs: number;
      readonly graceMs: number;
    }
  | { readonly type: 'all-time' };

/** One kind of window: everything the engine and the tools need to know about it. */
export interface WindowKind<W extends WindowSpec = WindowSpec> {
  readonly type: W['type'];
  /** Validates the spec's fields (the pipeline spec's zod schema is built from these). */
  readonly schema: z.ZodMiniType<W>;
  /** The windows holding an event time, oldest first. */
  windowsFor(spec: W, timestampMs: number): TimeWindow[];
  /** How long a window spans; Infinity when it never ends. */
  sizeMs(spec: W): number;
  /** How long after its end a window still takes records, in stream time. */
  graceMs(spec: W): number;
  /**
   * Distance between consecutive window starts (the boundaries a query may name); undefined
   * when there is one window.
   */
  stepMs(spec: W): number | undefined;
  /** For people: `tumbling 5 min`, `hopping 10 min every 5 min`, `all-time`. */
  label(spec: W): string;
}

const positiveMs = z.number().check(z.int(), z.positive());
const graceMs = z.number().check(z.int(), z.nonnegative());
const duration = (ms: number) => (ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${ms / 60_000} min`);

type Tumbling = Extract<WindowSpec, { type: 'tumbling' }>;
type Hopping = Extract<WindowSpec, { type: 'hopping' }>;
type AllTime = Extract<WindowSpec, { type: 'all-time' }>;

/**
 * @see Kafka Streams `TimeWindows.ofSizeAndGrace(size, grace)` (a hopping window whose
 *   advance equals its size)
 */
const tumblingKind: WindowKind<Tumbling> = {
  type: 'tumbling',
  schema: z.object({ type: z.literal('tumbling'), sizeMs: positiveMs, graceMs }),
  windowsFor: (spec, t) => [tumblingWindow(t, spec.sizeMs)],
  sizeMs: (spec) => spec.sizeMs,
  graceMs: (spec) => spec.graceMs,
  stepMs: (spec) => spec.sizeMs,
  label: (spec) => `tumbling ${duration(spec.sizeMs)}`,
};

/** @see Kafka Streams `TimeWindows.ofSizeAndGrace(size, grace).advanceBy(advance)` */
const hoppingKind: WindowKind<Hopping> = {
  type: 'hopping',
  schema: z
    .object({ type: z.literal('hopping'), sizeMs: positiveMs, advanceMs: positiveMs, graceMs })
    .check(z.refine((w) => w.advanceMs <= w.sizeMs, 'advanceMs must not exceed sizeMs')),
  windowsFor: (spec, t) => hoppingWindows(t, spec.sizeMs, spec.advanceMs),
  sizeMs: (spec) => spec.sizeMs,
  graceMs: (spec) => spec.graceMs,
  stepMs: (spec) => spec.advanceMs,
  label: (spec) => `hopping ${duration(spec.sizeMs)} every ${duration(spec.advanceMs)}`,
};

/** One window per key for ever (the unwindowed `groupByKey().count()`): never closes. */
const allTimeKind: WindowKind<AllTime> = {
  type: 'all-time',
  schema: z.object({ type: z.literal('all-time') }),
  windowsFor: () => [ALL_TIME],
  sizeMs: () => Number.POSITIVE_INFINITY,
  graceMs: () => 0,
  stepMs: () => undefined,
  label: () => 'all-time',
};

/**
 * Every window kind, by its `type`: the one table that window assignment, spec validation,
 * the table design, `query` and the summaries read. A new kind (sessions) is a new row here.
 */
export const WINDOW_KINDS: {
  readonly [T in WindowSpec['type']]: WindowKind<Extract<WindowSpec, { type: T }>>;
} = {
  tumbling: tumblingKind,
  hopping: hoppingKind,
  'all-time': allTimeKind,
};

/** The kind of a window spec. */
export function windowKind<W extends WindowSpec>(spec: W): WindowKind<W> {
  return WINDOW_KINDS[spec.type] as unknown as WindowKind<W>;
}

/** The zod schema of any window spec, built from the table. */
export const windowSpecSchema = z.union([tumblingKind.schema, hoppingKind.schema, allTimeKind.schema]);
