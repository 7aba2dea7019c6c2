import { InvalidRecordError, StreamError } from '../errors/index.js';
import type { KafkaRecord } from '../event/index.js';

/** A record after its codec ran: a value, or the error that makes it a dead letter. */
export type DecodedRecord =
  | { readonly record: KafkaRecord; readonly value: Record<string, unknown>; readonly error?: undefined }
  | { readonly record: KafkaRecord; readonly value?: undefined; readonly error: InvalidRecordError };

/** Decodes every record of every partition with a codec, turning failures into values. */
export function decodeGroups(
  groups: ReadonlyArray<ReadonlyArray<KafkaRecord>>,
  decode: (r: KafkaRecord) => unknown,
): DecodedRecord[][] {
  return groups.map((g) =>
    g.map((record): DecodedRecord => {
      try {
        const value = decode(record);
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          return {
            record,
            error: new InvalidRecordError('value is not an object', {
              coordinates: record,
              field: 'value',
              code: 'SCHEMA',
            }),
          };
        }
        return { record, value: value as Record<string, unknown> };
      } catch (err) {
        if (err instanceof InvalidRecordError) return { record, error: err };
        // Any other error of ours (a schema registry outage, a config mistake) is about the
        // batch, not this record: fail the batch so it is retried, never dead-letter it.
        if (err instanceof StreamError) throw err;
        return {
          record,
          error: new InvalidRecordError(`codec failed: ${(err as Error).message}`, {
            coordinates: record,
            cause: err,
          }),
        };
      }
    }),
  );
}
