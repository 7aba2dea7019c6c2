import avro from 'avsc';
import type * as z from 'zod/v4/core';
import type { KafkaRecord } from '../../event/index.js';
import { type PreparedValueCodec, requireValue, validate } from '../valueCodec.js';
import { parseConfluentFrame } from './confluentFrame.js';
import { type ResolvedWriter, readWithWriter } from './resolvedWriter.js';
import type { WriterSchemaSource } from './WriterSchemaSource.js';

/** Options of {@link avroCodec}. */
export interface AvroCodecOptions<S extends z.$ZodType> {
  /** The schema the pipeline reads with (Avro schema resolution maps each writer schema onto it). */
  readonly readerSchema: avro.Schema;
  /** Checks the decoded object, as the JSON codecs do, so Avro and JSON give the same values. */
  readonly schema: S;
  /**
   * Where writer schemas come from, or a function that makes the source at first use (a
   * codec is registered when its module loads; the environment is read when a batch comes).
   */
  readonly source: WriterSchemaSource | (() => WriterSchemaSource);
  /** @default 'avro' */
  readonly name?: string;
}

/**
 * Confluent-framed Avro values (magic byte 0, 4-byte schema id, Avro binary), read with the
 * pipeline's reader schema whatever schema the producer wrote with: Avro schema resolution
 * fills fields the writer lacks from their defaults and skips fields the reader lacks, so
 * producers can evolve their schema without redeploying the pipeline.
 *
 * Decoding stays synchronous and pure (see ValueCodec); the one async step, fetching writer
 * schemas by id, is `prepare`, which the engine awaits for the whole batch before decoding.
 * Resolvers are cached by id for the life of the codec, i.e. per Lambda container: ids are
 * immutable in a Confluent registry, so a schema is fetched once per container.
 *
 * Dead letters (codes): `TRUNCATED`, `NOT_CONFLUENT_FRAMED`, `UNKNOWN_SCHEMA_ID` (no schema
 * has the id), `INCOMPATIBLE_SCHEMA` (the writer schema cannot be resolved to the reader's),
 * `NOT_AVRO` (the body does not decode), `SCHEMA` (decoded, but fails `schema`). A registry
 * that cannot answer fails `prepare`, and so the batch (retried).
 * @see https://avro.apache.org/docs/1.12.0/specification/#schema-resolution
 */
export function avroCodec<S extends z.$ZodType>(
  options: AvroCodecOptions<S>,
): PreparedValueCodec<z.output<S>> {
  const reader = avro.Type.forSchema(options.readerSchema);
  const resolved = new Map<number, ResolvedWriter>();
  let source: WriterSchemaSource | undefined;
  const sourceOf = (): WriterSchemaSource => {
    source ??= typeof options.source === 'function' ? options.source() : options.source;
    return source;
  };
  // Unknown ids are remembered for the current batch only: a retried batch asks again.
  let unknownIds = new Set<number>();

  const resolve = async (id: number): Promise<void> => {
    const text = await sourceOf().schemaById(id);
    if (text === undefined) {
      unknownIds.add(id);
      return;
    }
    try {
      const writer = avro.Type.forSchema(JSON.parse(text) as avro.Schema);
      resolved.set(id, { ok: true, resolver: reader.createResolver(writer) });
    } catch (cause) {
      resolved.set(id, {
        ok: false,
        code: 'INCOMPATIBLE_SCHEMA',
        message: `writer schema id ${id} cannot be read with the reader schema: ${(cause as Error).message}`,
        cause,
      });
    }
  };

  return {
    name: options.name ?? 'avro',
    async prepare(records: ReadonlyArray<KafkaRecord>): Promise<void> {
      unknownIds = new Set();
      const wanted = new Set<number>();
      for (const r of records) {
        // Records that are not framed are left for decode, which dead-letters them.
        if (r.value === null || r.value.length < 5 || r.value[0] !== 0) continue;
        const id = r.value.readUInt32BE(1);
        if (!resolved.has(id)) wanted.add(id);
      }
      await Promise.all([...wanted].map(resolve));
    },
    decode(record: KafkaRecord) {
      const frame = parseConfluentFrame(requireValue(record), record);
      const value = readWithWriter(
        reader,
        frame.payload,
        `schema id ${frame.schemaId}`,
        resolved.get(frame.schemaId),
        unknownIds.has(frame.schemaId) ? sourceOf().description : undefined,
        record,
      );
      return validate(options.schema, value, record);
    },
  };
}
