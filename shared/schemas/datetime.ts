/**
 * Parses the datetimes found in taxi data into epoch milliseconds.
 *
 * The TLC files write `2020-07-01 00:25:32` with no zone. We read such zone-less values as
 * UTC, deliberately: it makes results independent of the machine's time zone (Lambda runs
 * in UTC anyway) and window boundaries line up with the ISO-8601 `Z` times the CLI prints.
 * ISO-8601 values with `Z` or an offset are honoured as written. Epoch milliseconds (a
 * number) pass through.
 * @returns epoch ms, or `undefined` when the value is not a datetime we understand.
 */
export function parseDatetimeMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = DATETIME.exec(value.trim());
  if (!m) return undefined;
  const [, date, time, zone] = m;
  const iso = `${date}T${time}${zone ?? 'Z'}`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return undefined;
  // Date.parse rolls 2020-02-31 over to March: reject what does not round-trip.
  if (zone === undefined && new Date(ms).toISOString().slice(0, 10) !== date) return undefined;
  return ms;
}

const DATETIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?$/;

/** Formats epoch ms as ISO-8601 UTC, the one time format the CLI and JSON output use. */
export function toIsoUtc(ms: number): string {
  return new Date(ms).toISOString();
}
