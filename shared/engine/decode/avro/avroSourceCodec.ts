import avro from 'avsc';
import type * as z from 'zod/v4/core';
import { InvalidRecordError } from '../../errors/index.js';
import type { KafkaRecord } from '../../event/index.js';
import { requireValue, type ValueCodec, validate } from '../valueCodec.js';

/**
 * Avro values without a frame, as Lambda delivers them when the event-source mapping has a
 * schema registry with `EventRecordFormat: SOURCE` (Lambda validated the record and removed
 * the magic byte and schema id). With the id gone, the writer schema is unknown here, so the
 * body is read with `writerSchema` (@default the reader schema): only producers that write
 * exactly that schema can be read this way. With evolving producers, use
 * `EventRecordFormat: JSON` (and a JSON codec) or no registry on the mapping and
 * {@link avroCodec} (which resolves each record's own writer schema).
 */
export function avroSourceCodec<S extends z.$ZodType>(options: {
  readonly readerSchema: avro.Schema;
  readonly writerSchema?: avro.Schema;
  readonly schema: S;
  /** @default 'avro-source' */
  readonly name?: string;
}): ValueCodec<z.output<S>> {
  const reader = avro.Type.forSchema(options.readerSchema);
  const resolver = options.writerSchema
    ? reader.createResolver(avro.Type.forSchema(options.writerSchema))
    : undefined;
  return {
    name: options.name ?? 'avro-source',
    decode(record: KafkaRecord) {
      let value: unknown;
      try {
        value = reader.fromBuffer(requireValue(record), resolver);
      } catch (cause) {
        if (cause instanceof InvalidRecordError) throw cause;
        const message = (cause as Error).message;
        throw new InvalidRecordError(`not Avro of the reader schema: ${message}`, {
          coordinates: record,
          field: 'value',
          code: /truncated/i.test(message) ? 'TRUNCATED' : 'NOT_AVRO',
          cause,
        });
      }
      return validate(options.schema, value, record);
    },
  };
}
