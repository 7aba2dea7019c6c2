import { ConfigError } from '../../errors/index.js';
import type { KafkaRecord } from '../../event/index.js';
import type { PreparedValueCodec, ValueCodec } from '../valueCodec.js';

/**
 * The variable the CDK app sets on a function whose mapping has Lambda's schema-registry
 * integration: its `EventRecordFormat`, lower case (`json` or `source`). Unset: no
 * integration, the records are Confluent-framed Avro as the producer wrote them.
 */
export const SCHEMA_REGISTRY_RECORD_FORMAT_ENV = 'SCHEMA_REGISTRY_RECORD_FORMAT';

/** How Avro values reach the function: as written (`framed`), or after Lambda's registry step. */
export type AvroDelivery = 'framed' | 'json' | 'source';

/** The delivery the environment names; a wrong value is a ConfigError naming the variable. */
export function avroDeliveryFromEnv(env: NodeJS.ProcessEnv = process.env): AvroDelivery {
  const value = env[SCHEMA_REGISTRY_RECORD_FORMAT_ENV]?.trim().toLowerCase();
  if (value === undefined || value === '') return 'framed';
  if (value === 'json' || value === 'source') return value;
  throw new ConfigError(
    `${SCHEMA_REGISTRY_RECORD_FORMAT_ENV} must be "json" or "source" (the mapping's EventRecordFormat), got "${value}"`,
  );
}

/** A codec that reads Avro values however Lambda delivers them (see {@link lambdaDeliveredAvroCodec}). */
export interface LambdaDeliveredAvroCodec<T> extends PreparedValueCodec<T> {
  /** Marks codecs whose handlers the CDK app may put behind Lambda's schema-registry integration. */
  readonly readsSchemaRegistryRecords: true;
}

/**
 * One codec name for Avro values in every deployment: the framed codec (the handler resolves
 * writer schemas itself) when the mapping has no registry, the JSON codec when Lambda decodes
 * (`EventRecordFormat: JSON`), the unframed-body codec with `SOURCE`. The deployment says which
 * through {@link SCHEMA_REGISTRY_RECORD_FORMAT_ENV}, read at the first batch, so the same
 * handler spec (and bundle) serves all three and the CDK app can add a registry to a mapping
 * without a second spec. Guessing from the bytes would not do: an unframed Avro body can start
 * with any byte, the magic byte and `{` included.
 */
export function lambdaDeliveredAvroCodec<T>(options: {
  readonly name: string;
  readonly framed: PreparedValueCodec<T>;
  readonly json: ValueCodec<T>;
  readonly source: ValueCodec<T>;
  /** @default avroDeliveryFromEnv() at the first batch */
  readonly delivery?: () => AvroDelivery;
}): LambdaDeliveredAvroCodec<T> {
  let chosen: ValueCodec<T> | undefined;
  const codec = (): ValueCodec<T> => {
    if (!chosen) {
      const delivery = (options.delivery ?? avroDeliveryFromEnv)();
      chosen = delivery === 'framed' ? options.framed : delivery === 'json' ? options.json : options.source;
    }
    return chosen;
  };
  return {
    name: options.name,
    readsSchemaRegistryRecords: true,
    async prepare(records: ReadonlyArray<KafkaRecord>): Promise<void> {
      await codec().prepare?.(records);
    },
    decode(record: KafkaRecord): T {
      return codec().decode(record);
    },
  };
}

/** Whether a codec reads what Lambda's schema-registry integration delivers. */
export function readsSchemaRegistryRecords(codec: ValueCodec<unknown>): boolean {
  return (codec as Partial<LambdaDeliveredAvroCodec<unknown>>).readsSchemaRegistryRecords === true;
}
