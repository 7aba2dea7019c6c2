import { deflateSync, inflateSync } from 'node:zlib';
import { InvalidRecordError, type RecordCoordinates } from '../../errors/index.js';

/**
 * AWS Glue Schema Registry's wire format, as its serializers write it (awslabs
 * aws-glue-schema-registry, `AWSSchemaRegistryConstants`): a header version byte (3), a
 * compression byte (0 none, 5 zlib), the 16-byte schema version id (a UUID), then the
 * Avro binary, zlib-deflated when the compression byte says so.
 * @see https://github.com/awslabs/aws-glue-schema-registry
 */
export const GLUE_HEADER_VERSION_BYTE = 3;
/** Compression byte of an uncompressed body. */
export const GLUE_COMPRESSION_NONE = 0;
/** Compression byte of a zlib-deflated body. */
export const GLUE_COMPRESSION_ZLIB = 5;
/** Bytes before the body: version, compression, schema version id. */
export const GLUE_HEADER_BYTES = 18;

/** A Glue-framed value split into the writer schema's version id and the (inflated) Avro body. */
export interface GlueFrame {
  /** The schema version id as a UUID string (`b7b4a7f0-...`), what `GetSchemaVersion` takes. */
  readonly schemaVersionId: string;
  readonly payload: Buffer;
}

/**
 * Splits a value written by a Glue Schema Registry serializer. A short buffer is `TRUNCATED`,
 * another first byte `NOT_GLUE_FRAMED`, an unknown compression byte `UNKNOWN_COMPRESSION` and
 * a body that does not inflate `NOT_AVRO`: records a producer got wrong, so dead letters.
 */
export function parseGlueFrame(bytes: Buffer, coordinates?: RecordCoordinates): GlueFrame {
  const bad = (code: string, message: string, cause?: unknown) =>
    new InvalidRecordError(message, {
      ...(coordinates ? { coordinates } : {}),
      field: 'value',
      code,
      ...(cause === undefined ? {} : { cause }),
    });
  if (bytes.length < GLUE_HEADER_BYTES) {
    throw bad(
      'TRUNCATED',
      `truncated: ${bytes.length} byte(s), a Glue-framed value has at least ${GLUE_HEADER_BYTES}`,
    );
  }
  if (bytes[0] !== GLUE_HEADER_VERSION_BYTE) {
    throw bad(
      'NOT_GLUE_FRAMED',
      `not Glue-framed: first byte ${bytes[0]}, expected the header version ${GLUE_HEADER_VERSION_BYTE}`,
    );
  }
  const compression = bytes[1];
  if (compression !== GLUE_COMPRESSION_NONE && compression !== GLUE_COMPRESSION_ZLIB) {
    throw bad(
      'UNKNOWN_COMPRESSION',
      `unknown Glue compression byte ${compression} (0 none, ${GLUE_COMPRESSION_ZLIB} zlib)`,
    );
  }
  const hex = bytes.subarray(2, GLUE_HEADER_BYTES).toString('hex');
  const schemaVersionId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const body = bytes.subarray(GLUE_HEADER_BYTES);
  if (compression === GLUE_COMPRESSION_NONE) return { schemaVersionId, payload: body };
  try {
    return { schemaVersionId, payload: inflateSync(body) };
  } catch (cause) {
    throw bad('NOT_AVRO', `Glue body marked zlib does not inflate: ${(cause as Error).message}`, cause);
  }
}

/** Frames an Avro body as a Glue serializer does (tools and tests write Glue records with it). */
export function glueFrame(
  schemaVersionId: string,
  payload: Buffer,
  options: { readonly compress?: boolean } = {},
): Buffer {
  const id = Buffer.from(schemaVersionId.replaceAll('-', ''), 'hex');
  if (id.length !== 16) throw new RangeError(`schema version id must be a UUID, got "${schemaVersionId}"`);
  const header = Buffer.from([
    GLUE_HEADER_VERSION_BYTE,
    options.compress ? GLUE_COMPRESSION_ZLIB : GLUE_COMPRESSION_NONE,
  ]);
  // zlib (not raw deflate): Glue's Java serializer compresses with java.util.zip.Deflater.
  return Buffer.concat([header, id, options.compress ? deflateSync(payload) : payload]);
}
