import { readFileSync } from 'node:fs';

/**
 * A rides file with bad lines among good ones, and what a run over it must do. Built from the
 * first rides of data/rides.csv, so the good rows are real rides.
 */
export interface MixedRides {
  /** The file's text. */
  readonly text: string;
  /** Good rides: each must be aggregated (or late) by every ride pipeline. */
  readonly good: number;
  /** Lines that are not records of the format: delivered as they are, dead-lettered as NOT_JSON. */
  readonly malformed: readonly string[];
  /** Well-formed lines that fail the ride schema (bad timestamp, non-numeric key): SCHEMA dead letters. */
  readonly schemaBad: number;
  /** Rows whose timestamp field does not parse (among `schemaBad`). */
  readonly badTimestamps: number;
  readonly blankLines: number;
}

const [HEADER, ...RIDES] = readFileSync('data/rides.csv', 'utf8').trimEnd().split('\n');
/** Column indexes in data/rides.csv. */
const PICKUP = 1;
const FLAG = 6;
const DROPOFF = 8;

/** Places each bad line after every few good ones, with blank lines between some. */
function interleave(
  good: readonly string[],
  bad: readonly string[],
): { lines: string[]; blankLines: number } {
  const lines: string[] = [];
  let blankLines = 0;
  const every = Math.max(1, Math.floor(good.length / (bad.length + 1)));
  good.forEach((g, i) => {
    lines.push(g);
    const b = bad[Math.floor(i / every)];
    if ((i + 1) % every === 0 && b !== undefined) {
      lines.push(b);
      if (Math.floor(i / every) % 2 === 0) {
        lines.push('');
        blankLines++;
      }
    }
  });
  return { lines, blankLines };
}

/**
 * A CSV with a header, good rides, and: a short row, a long row, a quote inside an unquoted
 * field, text after a closing quote, a quote never closed, a row whose pickup time does not
 * parse, a row with a non-numeric DOLocationID (the key), and blank lines.
 */
export function mixedRidesCsv(goodCount = 40): MixedRides {
  const good = RIDES.slice(0, goodCount);
  const cells = good[0]!.split(',');
  const withCell = (i: number, v: string) => cells.map((c, j) => (j === i ? v : c)).join(',');
  const malformed = [
    cells.slice(0, 10).join(','),
    [...cells, '42'].join(','),
    withCell(FLAG, 'N"Y'),
    withCell(FLAG, '"N"Y'),
    withCell(FLAG, '"N'),
  ];
  const schemaBad = [withCell(PICKUP, 'not a time'), withCell(DROPOFF, 'abc')];
  const { lines, blankLines } = interleave(good, [...malformed, ...schemaBad]);
  return {
    text: `${[HEADER, ...lines].join('\n')}\n`,
    good: good.length,
    malformed,
    schemaBad: schemaBad.length,
    badTimestamps: 1,
    blankLines,
  };
}

/**
 * JSON lines of good rides (cells as strings, as a CSV-to-JSON producer sends them), and: a
 * line cut short, a JSON array, a bare string, a row whose pickup time does not parse, a row
 * with a non-numeric DOLocationID, and blank lines.
 */
export function mixedRidesJsonl(goodCount = 40): MixedRides {
  const names = HEADER!.split(',');
  const asJson = (row: string) => {
    const cells = row.split(',');
    return Object.fromEntries(names.map((n, i) => [n, cells[i]]));
  };
  const good = RIDES.slice(0, goodCount).map((r) => JSON.stringify(asJson(r)));
  const first = asJson(RIDES[0]!);
  const malformed = [good[0]!.slice(0, 40), '[1,2,3]', '"a ride"'];
  const schemaBad = [
    JSON.stringify({ ...first, tpep_pickup_datetime: 'not a time' }),
    JSON.stringify({ ...first, DOLocationID: 'abc' }),
  ];
  const { lines, blankLines } = interleave(good, [...malformed, ...schemaBad]);
  return {
    text: `${lines.join('\n')}\n`,
    good: good.length,
    malformed,
    schemaBad: schemaBad.length,
    badTimestamps: 1,
    blankLines,
  };
}
