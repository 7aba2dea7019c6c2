/** Small DOM builders: the page is a few tables and charts, not enough to need a framework. */

type Child = Node | string;

/** An element with attributes and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Readonly<Record<string, string>> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) e.setAttribute(name, value);
  e.append(...children);
  return e;
}

/** A column of a {@link dataTable}. */
export interface Column {
  readonly id: string;
  readonly label: string;
  /** Right-aligned, with the raw number in `data-value`. */
  readonly numeric?: boolean;
}

/** A row: cells by column id (a number cell may carry its own display text), and row attributes. */
export interface Row {
  readonly attrs?: Readonly<Record<string, string>>;
  readonly cells: Readonly<
    Record<string, string | number | { readonly value: number; readonly text: string }>
  >;
}

/**
 * The numbers behind a chart as a real table: a caption, header cells with `scope`, and
 * `data-table`/`data-col`/`data-value` so scripts and tests read the same numbers people do.
 */
export function dataTable(
  id: string,
  caption: string,
  columns: readonly Column[],
  rows: readonly Row[],
): HTMLTableElement {
  const head = el(
    'tr',
    {},
    ...columns.map((c) => el('th', { scope: 'col', ...(c.numeric ? { class: 'num' } : {}) }, c.label)),
  );
  const body = rows.map((r) =>
    el(
      'tr',
      r.attrs ?? {},
      ...columns.map((c) => {
        const v = r.cells[c.id];
        if (typeof v === 'object')
          return el('td', { 'data-col': c.id, 'data-value': String(v.value), class: 'num' }, v.text);
        if (typeof v === 'number')
          return el('td', { 'data-col': c.id, 'data-value': String(v), class: 'num' }, String(v));
        return el('td', { 'data-col': c.id }, v ?? '');
      }),
    ),
  );
  const table = el(
    'table',
    { 'data-table': id },
    el('caption', {}, caption),
    el('thead', {}, head),
    el('tbody', {}, ...body),
  );
  if (rows.length === 0)
    table.tBodies[0]!.append(el('tr', {}, el('td', { colspan: String(columns.length) }, 'no rows')));
  return table;
}

/** A chart with its numbers one click away (`<details>`), so every chart can be read without seeing it. */
export function figure(
  id: string,
  title: string,
  chart: Node,
  table: HTMLTableElement,
  note = '',
): HTMLElement {
  return el(
    'section',
    { id, 'aria-labelledby': `${id}-title` },
    el('h2', { id: `${id}-title` }, title),
    ...(note ? [el('p', { class: 'note' }, note)] : []),
    chart,
    el('details', {}, el('summary', {}, 'Numbers'), table),
  );
}

/**
 * Ranked categories as labelled HTML bars. uPlot draws time series; names along a value
 * axis read better as a list, and HTML bars need no canvas to be read by a screen reader.
 */
export function barList(items: readonly { readonly label: string; readonly value: number }[]): HTMLElement {
  const max = Math.max(1, ...items.map((i) => i.value));
  return el(
    'ol',
    { class: 'bars', 'aria-hidden': 'true' },
    ...items.map((i) => {
      const bar = el('span', { class: 'bar' });
      // Through the CSSOM, not a style attribute: the page's CSP allows no inline styles.
      bar.style.setProperty('--w', `${((i.value / max) * 100).toFixed(1)}%`);
      return el(
        'li',
        {},
        el('span', { class: 'bar-label' }, i.label),
        bar,
        el('span', { class: 'bar-value' }, String(i.value)),
      );
    }),
  );
}
