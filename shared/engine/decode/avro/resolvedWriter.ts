import type avro from 'avsc';
import { InvalidRecordError } from '../../errors/index.js';
import type { KafkaRecord } from '../../event/index.js';

/** A writer schema fetched in `prepare`, resolved against the reader schema, or why not. */
export type ResolvedWriter =
  | { readonly ok: true; readonly resolver: avro.Resolver }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly cause?: unknown };

/**
 * Reads an Avro body with the writer schema its frame names (Confluent's schema id, Glue's
 * schema version id), once `prepare` fetched and resolved it: the one place both framings
 * turn "which writer" into a value or a dead letter with a code.
 *
 * @param id how the frame names the writer, for messages (`schema id 3`, `schema version id <uuid>`)
 * @param entry what `prepare` found for it; undefined when it did not look it up
 * @param unknownIn where the id was looked up and not found (the source's description), if it was
 */
export function readWithWriter(
  reader: avro.Type,
  payload: Buffer,
  id: string,
  entry: ResolvedWriter | undefined,
  unknownIn: string | undefined,
  record: KafkaRecord,
): unknown {
  if (!entry) {
    throw new InvalidRecordError(
      unknownIn !== undefined
        ? `unknown ${id} (not in ${unknownIn})`
        : `${id} was not fetched: the codec's prepare() did not see this record`,
      {
        coordinates: record,
        field: 'value',
        code: unknownIn !== undefined ? 'UNKNOWN_SCHEMA_ID' : 'SCHEMA_NOT_PREPARED',
      },
    );
  }
  if (!entry.ok) {
    throw new InvalidRecordError(entry.message, {
      coordinates: record,
      field: 'value',
      code: entry.code,
      cause: entry.cause,
    });
  }
  try {
    return reader.fromBuffer(payload, entry.resolver);
  } catch (cause) {
    const message = (cause as Error).message;
    throw new InvalidRecordError(`not Avro of ${id}: ${message}`, {
      coordinates: record,
      field: 'value',
      code: /truncated/i.test(message) ? 'TRUNCATED' : 'NOT_AVRO',
      cause,
    });
  }
}
