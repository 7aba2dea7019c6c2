/**
 * Aligns rows into columns for the terminal. Hand-written on purpose: `console.table` adds an
 * index column and quotes strings, and box-drawing table libraries make output that is hard
 * to grep or paste; this is a dozen lines of padding.
 * @param align per column, `right` for numbers; default left
 */
export function formatTable(
  headers: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
  align: ReadonlyArray<'left' | 'right'> = [],
): string[] {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (align[i] === 'right' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(cells[0]!), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)];
}

/** `2020-07-01T00:15:00.000Z` as `2020-07-01 00:15:00`: compact UTC for tables (headers say UTC). */
export function shortUtc(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.000Z$|Z$/, '');
}
