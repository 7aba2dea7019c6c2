import { InvalidRecordError, type RecordCoordinates } from '../../errors/index.js';

/** Confluent's wire format: magic byte 0, then the schema id as a 4-byte big-endian int. */
export const CONFLUENT_MAGIC_BYTE = 0;
/** Bytes before the Avro body: the magic byte and the schema id. */
export const CONFLUENT_HEADER_BYTES = 5;

/** A Confluent-framed value split into the writer schema's id and the Avro body. */
export interface ConfluentFrame {
  readonly schemaId: number;
  readonly payload: Buffer;
}

/**
 * Splits a value written by a Confluent serializer (or by `produce --value-format avro`).
 * A short buffer is `TRUNCATED` and a first byte other than 0 `NOT_CONFLUENT_FRAMED`: both are
 * records a producer got wrong, so dead letters, never a failed batch.
 * @see https://docs.confluent.io/platform/current/schema-registry/fundamentals/serdes-develop/index.html#wire-format
 */
export function parseConfluentFrame(bytes: Buffer, coordinates?: RecordCoordinates): ConfluentFrame {
  if (bytes.length < CONFLUENT_HEADER_BYTES) {
    throw new InvalidRecordError(
      `truncated: ${bytes.length} byte(s), a Confluent-framed value has at least ${CONFLUENT_HEADER_BYTES}`,
      { ...(coordinates ? { coordinates } : {}), field: 'value', code: 'TRUNCATED' },
    );
  }
  if (bytes[0] !== CONFLUENT_MAGIC_BYTE) {
    throw new InvalidRecordError(
      `not Confluent-framed: first byte ${bytes[0]}, expected the magic byte ${CONFLUENT_MAGIC_BYTE}`,
      { ...(coordinates ? { coordinates } : {}), field: 'value', code: 'NOT_CONFLUENT_FRAMED' },
    );
  }
  return { schemaId: bytes.readUInt32BE(1), payload: bytes.subarray(CONFLUENT_HEADER_BYTES) };
}

/** Frames an Avro body with its writer schema's id (what Confluent serializers send). */
export function confluentFrame(schemaId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(CONFLUENT_HEADER_BYTES);
  header.writeUInt8(CONFLUENT_MAGIC_BYTE, 0);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, payload]);
}
