import type { GapJson } from '../scripts/lib/gapListing.js';
import { dataTable, el } from './dom.js';

/** How a gap's state reads: open until `recover` closes it, then why it was closed. */
function stateOf(g: GapJson): string {
  if (g.open) return 'open: records missing';
  return g.closedReason === 'no-records' ? 'closed: held no records' : 'recovered';
}

/**
 * The gaps, when one is open: ranges of a partition the event-source mapping gave up on,
 * whose records are missing from the tables (every number on the page is short by them)
 * until `recover` applies them. Placed above everything else and styled as a warning, as
 * the `OpenGaps` alarm is one; with no open gap there is nothing to say, so `null`. Closed
 * gaps are listed after the open ones for context (`gaps --all` prints the same).
 */
export function gapSection(gaps: readonly GapJson[]): HTMLElement | null {
  const open = gaps.filter((g) => g.open);
  if (open.length === 0) return null;
  const pipelines = new Set(open.map((g) => g.pipeline)).size;
  return el(
    'section',
    { id: 'gaps', class: 'warning', 'aria-labelledby': 'gaps-title' },
    el('h2', { id: 'gaps-title' }, `Open gaps: records missing from the tables`),
    el(
      'p',
      { id: 'gaps-summary' },
      `${open.length} open gap(s) in ${pipelines} pipeline(s): the event-source mapping gave up on these offsets, so their records are not counted anywhere on this page. Run `,
      el('code', {}, 'npm run cli -- recover --from <on-failure records>'),
      ' (or ',
      el('code', {}, '--from-topic'),
      ') to apply them; ',
      el('code', {}, 'gaps --all'),
      ' lists the same.',
    ),
    dataTable(
      'gaps',
      'Gaps: pipeline, partition, offsets the mapping gave up on, when first seen, state',
      [
        { id: 'pipeline', label: 'pipeline' },
        { id: 'partition', label: 'partition' },
        { id: 'offsets', label: 'offsets' },
        { id: 'records', label: 'offsets in gap', numeric: true },
        { id: 'detected', label: 'detected' },
        { id: 'state', label: 'state' },
      ],
      gaps.map((g) => ({
        attrs: {
          'data-key': `${g.pipeline}/${g.partition}@${g.startOffset}`,
          'data-open': String(g.open),
        },
        cells: {
          pipeline: g.pipeline,
          partition: g.partition,
          offsets: `${g.startOffset}..${g.endOffset - 1}`,
          records: g.endOffset - g.startOffset,
          detected: g.detectedAt,
          state: stateOf(g),
        },
      })),
    ),
  );
}
