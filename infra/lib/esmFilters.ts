import { codecByName } from '../../shared/engine/decode/index.js';
import { type HandlerSpec, toEsmFilterPattern } from '../../shared/engine/process/index.js';

/** Lambda's default quota of filter patterns per event-source mapping. */
export const MAX_ESM_FILTERS = 5;

/** Why a handler's filters can or cannot run in the event-source mapping. */
export type EsmFilterDecision =
  | { readonly pushdown: true; readonly patterns: ReadonlyArray<Record<string, unknown>> }
  | { readonly pushdown: false; readonly reason: string };

/**
 * Decides whether the event-source mapping can drop records before they reach the function.
 * Lambda OR-s the patterns of a mapping, so a handler's records may be filtered there only
 * when EVERY pipeline of the handler has a filter that translates (one pattern per pipeline);
 * one pipeline that wants all records means no ESM filter at all. Lambda filters only see
 * JSON values, so pipelines reading CSV never push down.
 *
 * What pushdown changes: records dropped by the mapping are never invoked on (cheaper), but
 * they are also never decoded, so an invalid record that fails the filter is not dead-lettered
 * and a number sent as a string ("45.0") is compared as a string. Turn it off with
 * `-c esmFilters=false` where dead-lettering every bad record matters more than cost.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-kafka
 */
export function esmFilterDecision(spec: HandlerSpec): EsmFilterDecision {
  const patterns: Array<Record<string, unknown>> = [];
  for (const pipeline of spec.pipelines) {
    if (!pipeline.filter || pipeline.filter.length === 0) {
      return { pushdown: false, reason: `pipeline ${pipeline.name} has no filter: it needs every record` };
    }
    if (codecByName(pipeline.codec).name !== 'json') {
      return {
        pushdown: false,
        reason: `pipeline ${pipeline.name} reads ${pipeline.codec}; Lambda filters only JSON values`,
      };
    }
    const pattern = toEsmFilterPattern(pipeline.filter);
    if (!pattern) {
      return {
        pushdown: false,
        reason: `the filter of pipeline ${pipeline.name} has no event-filtering equivalent`,
      };
    }
    if (!patterns.some((p) => JSON.stringify(p) === JSON.stringify(pattern))) patterns.push(pattern);
  }
  if (patterns.length > MAX_ESM_FILTERS) {
    return {
      pushdown: false,
      reason: `${patterns.length} distinct patterns exceed Lambda's ${MAX_ESM_FILTERS} per mapping`,
    };
  }
  if (patterns.length === 0) return { pushdown: false, reason: `handler ${spec.name} has no pipelines` };
  return { pushdown: true, patterns };
}
