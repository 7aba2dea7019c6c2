import type { PipelineSpec } from '../../shared/engine/process/index.js';
import { type BufferEntry, type JoinPair, outerSides } from '../../shared/engine/processors/index.js';
import { scanJoinPairs, scanJoinUnmatched } from '../../shared/engine/store/dynamo/index.js';
import type { TableRow } from '../../shared/engine/store/index.js';
import type { DynamoContext } from '../lib/dynamoContext.js';
import { listPipelineGaps } from '../lib/gapListing.js';
import { scanPipelineRows } from '../lib/readResults.js';
import type { ResultRow } from '../lib/resultRows.js';
import type { StoreContents } from './dashboardSnapshot.js';

/**
 * Reads everything the page shows, with the readers `query`, `dead-letters` and `gaps` use: a
 * Scan per aggregating pipeline (filtered by pipeline), the table pipelines' rows, every
 * dead letter, and every gap (one Scan of the state table's checkpoints). Fine for a local store; on a large production table each refresh
 * costs a full Scan per pipeline (docs/serve.md says so).
 */
export async function readStoreContents(
  ctx: Pick<DynamoContext, 'doc' | 'tables' | 'stores'>,
  pipelines: readonly PipelineSpec[],
): Promise<StoreContents> {
  const aggregates = new Map<string, ResultRow[]>();
  const tableRows = new Map<string, TableRow[]>();
  const joinPairs = new Map<string, JoinPair[]>();
  const joinUnmatched = new Map<string, BufferEntry[]>();
  for (const p of pipelines) {
    if (p.kind === 'windowed-aggregate' || p.kind === 'session')
      aggregates.set(p.name, await scanPipelineRows(ctx, p.name));
    else if (p.kind === 'table') tableRows.set(p.name, await ctx.stores.tables.list(p.name));
    else if (p.kind === 'join') {
      joinPairs.set(p.name, await scanJoinPairs(ctx.doc, ctx.tables.state, p.name));
      // Only left and outer joins store unmatched records: an inner join costs no second Scan.
      if (outerSides(p).length > 0)
        joinUnmatched.set(p.name, await scanJoinUnmatched(ctx.doc, ctx.tables.state, p.name));
    }
  }
  return {
    aggregates,
    tableRows,
    joinPairs,
    joinUnmatched,
    deadLetters: await ctx.stores.deadLetters.list(),
    gaps: await listPipelineGaps(ctx.stores.streamTimes, { all: true }),
  };
}
