import type * as z from 'zod/v4/core';
import { InvalidRecordError } from '../errors/index.js';
import type { KafkaRecord } from '../event/index.js';
import { requireValue, type ValueCodec, validate } from './valueCodec.js';

/** JSON values validated with a zod schema. Invalid JSON is a dead letter, never a crash. */
export function jsonCodec<S extends z.$ZodType>(schema: S): ValueCodec<z.output<S>> {
  return {
    name: 'json',
    decode(record: KafkaRecord) {
      const text = requireValue(record).toString('utf8');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (cause) {
        throw new InvalidRecordError(`not JSON: ${(cause as Error).message}`, {
          coordinates: record,
          field: 'value',
          cause,
          code: 'NOT_JSON',
        });
      }
      return validate(schema, parsed, record);
    },
  };
}
