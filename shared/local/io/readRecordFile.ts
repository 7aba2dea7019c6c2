import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse as parseCsv } from 'csv-parse/sync';
import { ConfigError, InvalidRecordError } from '../../engine/errors/index.js';
import { requireTextFile } from './requireTextFile.js';

/** A record read from a file, ready to produce or to put in an event. */
export interface FileRecord {
  /**
   * 1-based line of the file where the record starts, for messages: the file's own line
   * numbers, so a CSV's header is line 1 and its first row line 2.
   */
  readonly line: number;
  /** Lines the record spans: more than 1 only for a CSV field quoted across line breaks. */
  readonly lines: number;
  /** The key field's value; null without `keyField`, for a malformed line, or (`malformed: 'pass'`) when the row lacks it. */
  readonly key: string | null;
  /**
   * The value as text: JSON by default, or the CSV line with `valueFormat: 'csv'`; for a
   * malformed line (`invalid` set) the line exactly as the file has it.
   */
  readonly value: string;
  /** The parsed row, for callers that need fields (e.g. timestamps); empty for a malformed line. */
  readonly fields: Record<string, unknown>;
  /** Set, to the reason, for a line that is not a record of the file's format (read with `malformed: 'pass'`). */
  readonly invalid?: string;
}

/** Options for {@link readRecordFile}. */
export interface ReadRecordFileOptions {
  /** @default from the extension: `.csv` is CSV with a header row, anything else JSON lines */
  readonly format?: 'csv' | 'jsonl';
  /** Field whose value becomes the record key (the course keys rides by `DOLocationID`). @default no key */
  readonly keyField?: string;
  /** `json` (default) sends each row as a JSON object; `csv` sends the CSV line without header (CSV input only). */
  readonly valueFormat?: 'json' | 'csv';
  /**
   * What to do with a line that is not a record: a CSV row with more or fewer fields than the
   * header, broken quoting, a JSON line that is not a JSON object, or a row without the key
   * field. `throw` an InvalidRecordError naming the line; or `pass` it on (the line as the
   * value, no key, empty `fields`, `invalid` set; a row without its key as a key-less
   * record), so that one bad line costs one dead letter, not the run.
   * @default 'throw'
   */
  readonly malformed?: 'throw' | 'pass';
  /**
   * Called for every blank (or whitespace-only) line, which is skipped: it holds no record
   * (no producer sends an empty line as a record, and CSV readers skip them too).
   */
  readonly onBlankLine?: (line: number) => void;
  /** Column names the caller expects in a CSV header, named in the error when line 1 holds data instead. */
  readonly expectedHeader?: readonly string[];
}

/**
 * The longest text a CSV record may span while a quote is open. A quote still open after
 * this much (or at the end of the file) is a broken line, not a field: Kafka's default
 * `max.message.bytes` is 1 MB, so no record could be that long anyway.
 */
const MAX_QUOTED_RECORD_CHARS = 1024 * 1024;

/**
 * Streams records from a CSV (with a header row) or JSON-lines file, so files larger than
 * memory can be produced or replayed. CSV cells that are numbers become JSON numbers, empty
 * cells null, anything else stays a string (datetimes are left as written; the ride schema
 * reads zone-less ones as UTC). A file that is not text, or a CSV whose line 1 is not a
 * header, is a ConfigError; a malformed line is an InvalidRecordError naming its line, or
 * (`malformed: 'pass'`) a record flagged `invalid`.
 */
export async function* readRecordFile(
  path: string,
  options: ReadRecordFileOptions = {},
): AsyncGenerator<FileRecord> {
  const format = options.format ?? (path.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl');
  if (options.valueFormat === 'csv' && format !== 'csv') {
    throw new ConfigError('valueFormat "csv" needs a CSV input file');
  }
  await requireTextFile(path, format === 'csv' ? 'a CSV file with a header row' : 'JSON lines');
  const pass = options.malformed === 'pass';
  const broken = (line: number, lines: number, text: string, reason: string): FileRecord => {
    if (!pass) throw new InvalidRecordError(`${path}:${line}: ${reason}`, { field: 'value' });
    return { line, lines, key: null, value: text, fields: {}, invalid: reason };
  };
  const keyOf = (fields: Record<string, unknown>, line: number): string | null => {
    if (!options.keyField) return null;
    const k = fields[options.keyField];
    if (k !== undefined && k !== null && k !== '') return String(k);
    if (pass) return null;
    throw new InvalidRecordError(`${path}:${line}: key field "${options.keyField}" is missing or empty`, {
      field: options.keyField,
    });
  };

  if (format === 'csv') {
    let header: string[] | undefined;
    // A record that spans lines must read as one row of the header's width; otherwise the
    // quote that opened it was a stray one, and the lines after it are records of their own.
    const wholeRecord = (text: string): boolean => {
      try {
        const rows = parseCsv(text, { relax_column_count: true }) as string[][];
        return rows.length === 1 && (header === undefined || rows[0]!.length === header.length);
      } catch {
        return false;
      }
    };
    for await (const r of csvRecordTexts(path, wholeRecord)) {
      if (r.text.trim() === '') {
        options.onBlankLine?.(r.line);
        continue;
      }
      if (header === undefined) {
        header = readHeader(path, r, options);
        continue;
      }
      if (r.unclosedQuote) {
        yield broken(r.line, r.lines, r.text, 'a quote opened on this line is not closed within the row');
        continue;
      }
      let cells: string[];
      try {
        const rows = parseCsv(r.text, { relax_column_count: true });
        if (rows.length !== 1) throw new Error(`${rows.length} records on one line`);
        cells = rows[0]!;
      } catch (cause) {
        yield broken(r.line, r.lines, r.text, `not valid CSV: ${csvReason(cause)}`);
        continue;
      }
      if (cells.length !== header.length) {
        yield broken(r.line, r.lines, r.text, `${cells.length} fields, the header has ${header.length}`);
        continue;
      }
      const row: Record<string, string> = {};
      header.forEach((name, i) => {
        row[name] = cells[i]!;
      });
      const fields = typeCells(row);
      const value = options.valueFormat === 'csv' ? r.text : JSON.stringify(fields);
      yield { line: r.line, lines: r.lines, key: keyOf(fields, r.line), value, fields };
    }
    return;
  }

  let line = 0;
  for await (const text of createInterface({
    input: createReadStream(path),
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    line++;
    if (text.trim() === '') {
      options.onBlankLine?.(line);
      continue;
    }
    let fields: Record<string, unknown>;
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new Error('not a JSON object');
      fields = parsed as Record<string, unknown>;
    } catch (cause) {
      yield broken(line, 1, text, (cause as Error).message);
      continue;
    }
    yield { line, lines: 1, key: keyOf(fields, line), value: text, fields };
  }
}

/** One CSV record's text: one line, or several when a quoted field holds line breaks. */
interface CsvRecordText {
  readonly line: number;
  readonly lines: number;
  readonly text: string;
  /**
   * A quote opened on `line` and never closed, or closed only by a later line in a way that
   * does not make one row: `text` is that line alone.
   */
  readonly unclosedQuote?: boolean;
}

/**
 * Cuts a CSV file into record texts with their file line numbers. A record continues on the
 * next line only while a quoted field is open (RFC 4180). csv-parse's streaming parser
 * cannot do this part for us: a quote that never closes makes it swallow the rest of the
 * file and fail at the end (or, skipping errors, drop every row after it), where here the
 * line that opened it is the one broken record and the lines after it are read again.
 * Each record's fields are then parsed by csv-parse on its own, so an error costs one record.
 */
async function* csvRecordTexts(
  path: string,
  wholeRecord: (text: string) => boolean,
): AsyncGenerator<CsvRecordText> {
  const source = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY })[
    Symbol.asyncIterator
  ]();
  // Lines read ahead and given back (a quote that did not make one record): read again from
  // `pendingAt`. An index, not shift(): a span can hold hundreds of thousands of lines, and
  // shifting each off a large array costs its length every time (quadratic).
  let pending: Array<{ line: number; text: string }> = [];
  let pendingAt = 0;
  let nextLine = 1;
  const read = async () => {
    if (pendingAt < pending.length) return pending[pendingAt++];
    const next = await source.next();
    return next.done ? undefined : { line: nextLine++, text: next.value };
  };
  for (;;) {
    const first = await read();
    if (!first) return;
    const parts = [first];
    let open = quoteOpenAfter(first.text, false);
    let size = first.text.length;
    while (open && size <= MAX_QUOTED_RECORD_CHARS) {
      const more = await read();
      if (!more) break;
      parts.push(more);
      size += more.text.length + 1;
      open = quoteOpenAfter(more.text, true);
    }
    if (open || (parts.length > 1 && !wholeRecord(parts.map((p) => p.text).join('\n')))) {
      // Not spread into unshift: a span can hold hundreds of thousands of lines.
      pending = parts.slice(1).concat(pending.slice(pendingAt));
      pendingAt = 0;
      yield { line: first.line, lines: 1, text: first.text, unclosedQuote: true };
      continue;
    }
    yield { line: first.line, lines: parts.length, text: parts.map((p) => p.text).join('\n') };
  }
}

const QUOTE = 34;
const COMMA = 44;

/**
 * Whether a quoted field is still open at the end of `text`. A quote opens a field only at
 * its start (as csv-parse reads it: a quote inside an unquoted field is an error of that
 * record, not the start of a multi-line field); `""` inside quotes is a literal quote.
 */
function quoteOpenAfter(text: string, startsInQuotes: boolean): boolean {
  let inQuotes = startsInQuotes;
  let fieldStart = !startsInQuotes;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inQuotes) {
      if (c === QUOTE) {
        if (text.charCodeAt(i + 1) === QUOTE) i++;
        else inQuotes = false;
      }
      continue;
    }
    if (c === QUOTE && fieldStart) inQuotes = true;
    fieldStart = c === COMMA;
  }
  return inQuotes;
}

/** csv-parse's message without its line number, which counts from the record, not the file. */
function csvReason(cause: unknown): string {
  return (cause as Error).message.replace(/\s+(at|on) line \d+/g, '');
}

/** A cell a header would not hold: empty, a number, or a date. */
const DATA_CELL = /^$|^-?(\d+(\.\d*)?|\.\d+)$|^\d{4}-\d{2}-\d{2}/;

/** The column names of a CSV's first record, or a ConfigError saying why it is not a header. */
function readHeader(path: string, r: CsvRecordText, options: ReadRecordFileOptions): string[] {
  const expected = options.expectedHeader?.length
    ? `; expected a header such as: ${options.expectedHeader.join(',')}`
    : '';
  if (r.unclosedQuote) {
    throw new ConfigError(`${path}:${r.line}: the header row opens a quote it never closes${expected}`);
  }
  let names: string[];
  try {
    names = (parseCsv(r.text, { bom: true }) as string[][])[0] ?? [];
  } catch (cause) {
    throw new ConfigError(
      `${path}:${r.line}: the header row is not valid CSV: ${csvReason(cause)}${expected}`,
      {
        cause,
      },
    );
  }
  const dataCells = names.filter((n) => DATA_CELL.test(n.trim()));
  if (dataCells.length > 0) {
    const preview = r.text.length > 80 ? `${r.text.slice(0, 80)}...` : r.text;
    throw new ConfigError(
      `${path} has no header row: line ${r.line} (${preview}) holds data (${dataCells
        .slice(0, 3)
        .map((c) => JSON.stringify(c))
        .join(', ')}), not column names. A CSV file needs its column names on line 1${expected}`,
    );
  }
  if (options.keyField && !names.includes(options.keyField)) {
    throw new InvalidRecordError(
      `${path}:${r.line}: key field "${options.keyField}" is missing from the header (columns: ${names.join(', ')})`,
      { field: options.keyField },
    );
  }
  return names;
}

const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)$/;

/** CSV cells to JSON values: numbers, null for empty, strings otherwise. */
export function typeCells(row: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = v === '' ? null : NUMBER.test(v) ? Number(v) : v;
  return out;
}
