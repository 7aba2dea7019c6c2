/** Times on the page are UTC, as the ride data and the CLI's tables are. */

/** `2020-07-01 00:15` */
export function utcMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** `2020-07-01 00:15–00:20` */
export function windowLabel(startMs: number, endMs: number): string {
  return `${utcMinute(startMs)}–${new Date(endMs).toISOString().slice(11, 16)}`;
}

/** The ISO-8601 form `query --json` prints, used as the rows' `data-window-start`. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Whether `filter` (any case) is part of one of the texts; an empty filter matches everything. */
export function matches(filter: string, ...texts: ReadonlyArray<string | undefined>): boolean {
  const f = filter.trim().toLowerCase();
  return f === '' || texts.some((t) => t?.toLowerCase().includes(f));
}
