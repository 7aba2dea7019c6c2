import avro from 'avsc';
import type * as z from 'zod/v4/core';
import type { KafkaRecord } from '../../event/index.js';
import { type PreparedValueCodec, requireValue, validate } from '../valueCodec.js';
import type { GlueSchemaVersionSource } from './GlueSchemaVersionSource.js';
import { GLUE_HEADER_BYTES, GLUE_HEADER_VERSION_BYTE, parseGlueFrame } from './glueFrame.js';
import { type ResolvedWriter, readWithWriter } from './resolvedWriter.js';

/**
 * Glue-framed Avro values (see {@link parseGlueFrame}), read with the pipeline's reader schema
 * whatever version the producer wrote with (Avro schema resolution, as {@link avroCodec} does
 * for Confluent framing). Writer schemas are fetched by version id in `prepare`, once per id
 * for the life of the codec (per container: Glue schema versions are immutable).
 *
 * Dead letters: `TRUNCATED`, `NOT_GLUE_FRAMED`, `UNKNOWN_COMPRESSION`, `UNKNOWN_SCHEMA_ID`,
 * `INCOMPATIBLE_SCHEMA`, `NOT_AVRO`, `SCHEMA`. A source that cannot answer fails `prepare`,
 * and so the batch (retried).
 */
export function glueAvroCodec<S extends z.$ZodType>(options: {
  readonly readerSchema: avro.Schema;
  readonly schema: S;
  readonly source: GlueSchemaVersionSource | (() => GlueSchemaVersionSource);
  /** @default 'glue-avro' */
  readonly name?: string;
}): PreparedValueCodec<z.output<S>> {
  const reader = avro.Type.forSchema(options.readerSchema);
  const resolved = new Map<string, ResolvedWriter>();
  let unknown = new Set<string>();
  let source: GlueSchemaVersionSource | undefined;
  const sourceOf = (): GlueSchemaVersionSource => {
    source ??= typeof options.source === 'function' ? options.source() : options.source;
    return source;
  };
  const idOf = (value: Buffer | null): string | undefined => {
    if (value === null || value.length < GLUE_HEADER_BYTES || value[0] !== GLUE_HEADER_VERSION_BYTE)
      return undefined;
    try {
      return parseGlueFrame(value).schemaVersionId;
    } catch {
      return undefined; // decode dead-letters it with the reason
    }
  };

  return {
    name: options.name ?? 'glue-avro',
    async prepare(records: ReadonlyArray<KafkaRecord>): Promise<void> {
      unknown = new Set();
      const wanted = new Set<string>();
      for (const r of records) {
        const id = idOf(r.value);
        if (id !== undefined && !resolved.has(id)) wanted.add(id);
      }
      await Promise.all(
        [...wanted].map(async (id) => {
          const text = await sourceOf().schemaByVersionId(id);
          if (text === undefined) {
            unknown.add(id);
            return;
          }
          try {
            const writer = avro.Type.forSchema(JSON.parse(text) as avro.Schema);
            resolved.set(id, { ok: true, resolver: reader.createResolver(writer) });
          } catch (cause) {
            resolved.set(id, {
              ok: false,
              code: 'INCOMPATIBLE_SCHEMA',
              message: `writer schema version ${id} cannot be read with the reader schema: ${(cause as Error).message}`,
              cause,
            });
          }
        }),
      );
    },
    decode(record: KafkaRecord) {
      const frame = parseGlueFrame(requireValue(record), record);
      const value = readWithWriter(
        reader,
        frame.payload,
        `schema version id ${frame.schemaVersionId}`,
        resolved.get(frame.schemaVersionId),
        unknown.has(frame.schemaVersionId) ? sourceOf().description : undefined,
        record,
      );
      return validate(options.schema, value, record);
    },
  };
}
