import { parse } from 'csv-parse/sync';
import type * as z from 'zod/v4/core';
import { InvalidRecordError } from '../errors/index.js';
import type { KafkaRecord } from '../event/index.js';
import { requireValue, type ValueCodec, validate } from './valueCodec.js';

/**
 * One header-less CSV line per value (the course's CSV producer sends the raw line), read
 * with csv-parse so quoting follows RFC 4180, then mapped onto `columns` and validated.
 */
export function csvCodec<S extends z.$ZodType>(
  columns: readonly string[],
  schema: S,
): ValueCodec<z.output<S>> {
  return {
    name: 'csv',
    decode(record: KafkaRecord) {
      const line = requireValue(record).toString('utf8');
      let cells: string[];
      try {
        const rows = parse(line, { relax_column_count: true }) as string[][];
        if (rows.length !== 1 || !rows[0]) throw new Error(`expected one CSV line, got ${rows.length}`);
        cells = rows[0];
      } catch (cause) {
        throw new InvalidRecordError(`not a CSV line: ${(cause as Error).message}`, {
          coordinates: record,
          field: 'value',
          cause,
          code: 'NOT_CSV',
        });
      }
      if (cells.length !== columns.length) {
        throw new InvalidRecordError(`CSV line has ${cells.length} columns, expected ${columns.length}`, {
          coordinates: record,
          field: 'value',
          code: 'NOT_CSV',
        });
      }
      const obj: Record<string, string> = {};
      columns.forEach((c, i) => {
        obj[c] = cells[i] as string;
      });
      return validate(schema, obj, record);
    },
  };
}
