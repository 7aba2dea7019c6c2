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
  const fast = parseTlcDatetime(value);
  if (fast !== undefined) return fast;
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

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Fast path for the exact TLC form `YYYY-MM-DD HH:MM:SS` (19 characters, UTC), read digit by
 * digit: it is the hot path of every ride, and regex + Date.parse + a round-trip check cost
 * several times more. Anything else falls through to the general parser.
 */
function parseTlcDatetime(v: string): number | undefined {
  if (v.length !== 19 || v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(10) !== 32)
    return undefined;
  if (v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58) return undefined;
  const year = digits(v, 0, 4);
  const month = digits(v, 5, 2);
  const day = digits(v, 8, 2);
  const hour = digits(v, 11, 2);
  const minute = digits(v, 14, 2);
  const second = digits(v, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59)
    return undefined;
  if (second < 0 || second > 59) return undefined;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const maxDay = month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1]!;
  if (day > maxDay) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** The number written by `length` ASCII digits at `start`, or -1 if any is not a digit. */
function digits(v: string, start: number, length: number): number {
  let n = 0;
  for (let i = start; i < start + length; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}
