import type { DeadLetterView } from '../scripts/serve/dashboardSnapshot.js';
import { dataTable, el } from './dom.js';
import { iso, matches } from './format.js';

/** The dead-letter section: its filters are built once, so typing is not interrupted by live updates. */
export interface DeadLetterSection {
  readonly element: HTMLElement;
  update(letters: readonly DeadLetterView[]): void;
}

/** Dead letters with their code, reason and coordinates, filterable by pipeline, kind and text. */
export function deadLetterSection(): DeadLetterSection {
  const pipeline = el('select', { id: 'dl-pipeline' }, el('option', { value: '' }, 'all pipelines'));
  const kind = el(
    'select',
    { id: 'dl-kind' },
    el('option', { value: '' }, 'invalid and late'),
    el('option', { value: 'invalid' }, 'invalid'),
    el('option', { value: 'late' }, 'late'),
  );
  const text = el('input', { id: 'dl-text', type: 'search', placeholder: 'code, reason, field' });
  const host = el('div');
  const summary = el('p', { class: 'note', id: 'dl-summary' });
  let letters: readonly DeadLetterView[] = [];

  const draw = () => {
    const names = [...new Set(letters.map((d) => d.pipeline))];
    const chosen = pipeline.value;
    pipeline.replaceChildren(
      el('option', { value: '' }, 'all pipelines'),
      ...names.map((n) => el('option', { value: n }, n)),
    );
    pipeline.value = names.includes(chosen) ? chosen : '';
    const shown = letters.filter(
      (d) =>
        (pipeline.value === '' || d.pipeline === pipeline.value) &&
        (kind.value === '' || d.kind === kind.value) &&
        matches(text.value, d.code, d.reason, d.field ?? undefined),
    );
    summary.textContent = `${shown.length} of ${letters.length} dead letters`;
    host.replaceChildren(
      dataTable(
        'dead-letters',
        'Dead letters: rejected (invalid) and late records with their coordinates',
        [
          { id: 'pipeline', label: 'pipeline' },
          { id: 'kind', label: 'kind' },
          { id: 'code', label: 'code' },
          { id: 'reason', label: 'reason' },
          { id: 'field', label: 'field' },
          { id: 'topic', label: 'topic' },
          { id: 'partition', label: 'partition', numeric: true },
          { id: 'offset', label: 'offset', numeric: true },
          { id: 'window', label: 'closed window' },
        ],
        shown.map((d) => ({
          attrs: { 'data-key': `${d.pipeline}/${d.topic}-${d.partition}@${d.offset}` },
          cells: {
            pipeline: d.pipeline,
            kind: d.kind,
            code: d.code,
            reason: d.reason,
            field: d.field ?? '',
            topic: d.topic,
            partition: d.partition,
            offset: d.offset,
            window: d.windowStartMs === null ? '' : iso(d.windowStartMs),
          },
        })),
      ),
    );
  };
  for (const control of [pipeline, kind, text]) control.addEventListener('input', draw);

  return {
    element: el(
      'section',
      { id: 'dead-letters', 'aria-labelledby': 'dl-title' },
      el('h2', { id: 'dl-title' }, 'Dead letters'),
      el(
        'form',
        { class: 'filters', 'aria-label': 'Filter dead letters' },
        el('label', {}, 'Pipeline ', pipeline),
        el('label', {}, 'Kind ', kind),
        el('label', {}, 'Text ', text),
      ),
      summary,
      host,
    ),
    update(next) {
      letters = next;
      draw();
    },
  };
}
