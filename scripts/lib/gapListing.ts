import type { CheckpointStore } from '../../shared/engine/store/CheckpointStore.js';
import type { Gap } from '../../shared/engine/store/gap.js';

/**
 * The one reader of the gap items for the CLI: `gaps` prints what it returns and `serve`
 * puts the same list on the page, so the two can never disagree about which gaps are open.
 */

/** A gap with the pipeline whose checkpoint holds it. */
export type PipelineGap = Gap & { readonly pipeline: string };

/** Which gaps {@link listPipelineGaps} returns. */
export interface GapListingOptions {
  /** Only this pipeline's gaps. @default every pipeline */
  readonly pipeline?: string;
  /** Closed gaps too (they are kept for the record). @default false: open gaps only */
  readonly all?: boolean;
}

/** The gaps (ranges the mapping gave up on), open ones first, then by pipeline, partition and offset. */
export async function listPipelineGaps(
  streamTimes: Pick<CheckpointStore, 'listGaps'>,
  options: GapListingOptions = {},
): Promise<PipelineGap[]> {
  const gaps = await streamTimes.listGaps(options.pipeline ? [options.pipeline] : undefined);
  return gaps.filter((g) => options.all || g.closedAtMs === undefined);
}

/**
 * A gap as `gaps --json` prints it and the page receives it: offsets as a half-open range
 * `[startOffset, endOffset)`, times as ISO-8601.
 */
export interface GapJson {
  readonly pipeline: string;
  /** `<topic>-<partition>`, as the checkpoint names it. */
  readonly partition: string;
  readonly startOffset: number;
  readonly endOffset: number;
  /** Stream time just before the gap; null when the partition had none. */
  readonly streamTime: string | null;
  /** When the gap was first seen (wall clock). */
  readonly detectedAt: string;
  /** Whether it still waits for `recover`: its records are missing from the tables. */
  readonly open: boolean;
  /** When it was closed; only on a closed gap. */
  readonly closedAt?: string;
  /** `recovered` (records applied) or `no-records` (a suspected gap that held none); only on a closed gap. */
  readonly closedReason?: NonNullable<Gap['closedReason']>;
}

/** The `--json` shape of a gap (see {@link GapJson}). */
export function gapToJson(g: PipelineGap): GapJson {
  return {
    pipeline: g.pipeline,
    partition: g.partitionId,
    startOffset: g.startOffset,
    endOffset: g.endOffset,
    streamTime: Number.isFinite(g.streamTimeMs) ? new Date(g.streamTimeMs).toISOString() : null,
    detectedAt: new Date(g.detectedAtMs).toISOString(),
    open: g.closedAtMs === undefined,
    ...(g.closedAtMs === undefined
      ? {}
      : { closedAt: new Date(g.closedAtMs).toISOString(), closedReason: g.closedReason }),
  };
}
