import type { DeadLetter, PipelineSpec } from '../../shared/engine/process/index.js';
import type { BufferEntry, JoinPair } from '../../shared/engine/processors/index.js';
import type { TableRow } from '../../shared/engine/store/index.js';
import { dropoffCount, pickup5m, tips1h, vendorHopping } from '../../shared/rides/index.js';
import type { Zone } from '../../shared/rides/schemas/index.js';
import { compareDeadLetters } from '../commands/deadLetters.js';
import { type GapJson, gapToJson, type PipelineGap } from '../lib/gapListing.js';
import type { ResultRow } from '../lib/resultRows.js';
import {
  type BusyWindow,
  busiestPickupWindows,
  type HourTips,
  hasRidePipelines,
  tipsPerHour,
  topDropoffZones,
  type VendorWindow,
  vendorWindows,
  type ZoneCount,
} from '../lib/summaries.js';
import { type PipelineView, pipelineView } from './pipelineViews.js';

/**
 * Everything the page shows, computed from what the store holds (pure: rows, table rows,
 * dead letters and zones in, plain JSON out). The server sends it whole on every change:
 * a local store holds hundreds of rows, so one small document beats an API per chart, and
 * the page filters and picks windows without asking the server again.
 */

/** The ride example's sections, present when the catalog has its four pipelines. */
export interface RideSections {
  /** Every 5-minute pickup window in time order, each with all its zones, busiest first. */
  readonly pickupWindows: readonly BusyWindow[];
  readonly tipsPerHour: readonly HourTips[];
  readonly vendorWindows: readonly VendorWindow[];
  /** The all-time busiest drop-off zones. */
  readonly topDropoffZones: readonly ZoneCount[];
}

/** A dead letter as the page lists it: coordinates, code and reason, never the raw value. */
export interface DeadLetterView {
  readonly pipeline: string;
  readonly kind: 'invalid' | 'late';
  readonly code: string;
  readonly reason: string;
  readonly field: string | null;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** The closed window of a late record. */
  readonly windowStartMs: number | null;
}

/** The page's data. */
export interface DashboardSnapshot {
  readonly rides: RideSections | null;
  /** Every pipeline of the catalog, in catalog order, each drawn by its kind. */
  readonly pipelines: readonly PipelineView[];
  /** In the order `dead-letters` prints them. */
  readonly deadLetters: readonly DeadLetterView[];
  /**
   * Every gap, open and closed, open first, each as `gaps --all --json` prints it. An open
   * gap means records the mapping gave up on are missing from the tables until `recover`
   * runs; the page shows the list only while one is open, closed ones then as context.
   */
  readonly gaps: readonly GapJson[];
}

/** What the store holds, as {@link readStoreContents} reads it. */
export interface StoreContents {
  /** Aggregate rows by pipeline name. */
  readonly aggregates: ReadonlyMap<string, readonly ResultRow[]>;
  /** Table pipelines' rows by pipeline name. */
  readonly tableRows: ReadonlyMap<string, readonly TableRow[]>;
  /** Join pipelines' pairs by pipeline name. @default none */
  readonly joinPairs?: ReadonlyMap<string, readonly JoinPair[]>;
  /** Left and outer joins' unmatched records by pipeline name. @default none */
  readonly joinUnmatched?: ReadonlyMap<string, readonly BufferEntry[]>;
  readonly deadLetters: readonly DeadLetter[];
  /** Every gap, open first, as `gaps --all` lists them. @default none */
  readonly gaps?: readonly PipelineGap[];
}

/** How many drop-off zones the page ranks: the start summary's number. */
export const TOP_DROPOFF_ZONES = 10;

/** Builds the page's data from the store's contents. */
export function buildSnapshot(
  pipelines: readonly PipelineSpec[],
  contents: StoreContents,
  zones: ReadonlyMap<number, Zone>,
): DashboardSnapshot {
  const rowsOf = (p: PipelineSpec) => contents.aggregates.get(p.name) ?? [];
  return {
    rides: hasRidePipelines(pipelines)
      ? {
          pickupWindows: busiestPickupWindows(rowsOf(pickup5m), zones, {
            busiestWindows: Number.POSITIVE_INFINITY,
            zonesPerWindow: Number.POSITIVE_INFINITY,
          }).sort((a, b) => a.windowStartMs - b.windowStartMs),
          tipsPerHour: tipsPerHour(rowsOf(tips1h)),
          vendorWindows: vendorWindows(rowsOf(vendorHopping)),
          topDropoffZones: topDropoffZones(rowsOf(dropoffCount), zones, { topDropoffs: TOP_DROPOFF_ZONES }),
        }
      : null,
    pipelines: pipelines.map((p) =>
      pipelineView(
        p,
        {
          aggregates: rowsOf(p),
          tableRows: contents.tableRows.get(p.name) ?? [],
          joinPairs: contents.joinPairs?.get(p.name) ?? [],
          joinUnmatched: contents.joinUnmatched?.get(p.name) ?? [],
          zones,
        },
        contents.deadLetters,
      ),
    ),
    deadLetters: [...contents.deadLetters].sort(compareDeadLetters).map((d) => ({
      pipeline: d.pipeline,
      kind: d.kind,
      code: d.code,
      reason: d.reason,
      field: d.field ?? null,
      topic: d.topic,
      partition: d.partition,
      offset: d.offset,
      windowStartMs: d.windowStartMs ?? null,
    })),
    gaps: (contents.gaps ?? []).map(gapToJson),
  };
}
