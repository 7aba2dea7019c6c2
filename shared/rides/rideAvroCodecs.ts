import { avroCodec } from '../engine/decode/avro/avroCodec.js';
import { avroSourceCodec } from '../engine/decode/avro/avroSourceCodec.js';
import { lambdaDeliveredAvroCodec } from '../engine/decode/avro/lambdaDeliveredAvroCodec.js';
import { schemaSourceFromEnv } from '../engine/decode/avro/schemaSourceFromEnv.js';
import { jsonCodec } from '../engine/decode/jsonCodec.js';
import type { ValueCodec } from '../engine/decode/valueCodec.js';
import { RIDE_AVRO_SCHEMA, type Ride, rideSchema } from './schemas/index.js';

/**
 * The Avro codecs a pipeline spec can name for ride topics. Opt-in, unlike `rideCodecs`:
 * they bring avsc and the registry client (about 370 KB with its JSON Schema and Protobuf
 * helpers), which an esbuild bundle keeps once any module of the handler imports this file,
 * used or not. So nothing a JSON handler imports leads here (not `shared/rides/index.ts`
 * either); `functions/catalog.ts` registers them for the CLI and the local runner, and a
 * Lambda entry whose pipelines read Avro registers them itself:
 *
 * ```ts
 * registerCodecs(rideAvroCodecs);
 * export const handler = kafkaHandler(rideAvroTwin(rideHandler('rides-tumbling-by-pickup')));
 * ```
 */
export const rideAvroCodecs = {
  /**
   * Avro rides however they arrive: Confluent-framed (`RIDE_AVRO_SCHEMA` as the reader schema,
   * writer schemas from `SCHEMA_REGISTRY_URL` or the local directory `SCHEMA_DIR`, @default
   * data/schemas), or, when the CDK app put the mapping behind Lambda's schema registry
   * (`SCHEMA_REGISTRY_RECORD_FORMAT`), as the JSON or the bare Avro body Lambda delivers.
   */
  'ride-avro': lambdaDeliveredAvroCodec<Ride>({
    name: 'ride-avro',
    framed: avroCodec({
      name: 'ride-avro',
      readerSchema: RIDE_AVRO_SCHEMA,
      schema: rideSchema,
      source: () => schemaSourceFromEnv(),
    }),
    json: jsonCodec(rideSchema),
    source: avroSourceCodec({ name: 'ride-avro', readerSchema: RIDE_AVRO_SCHEMA, schema: rideSchema }),
  }) as ValueCodec<Ride>,
  /**
   * Unframed Avro rides, as Lambda delivers them with a schema registry on the mapping and
   * `EventRecordFormat: SOURCE` (read with RIDE_AVRO_SCHEMA as the writer schema). With
   * `EventRecordFormat: JSON` Lambda delivers JSON rides: use `ride-json`.
   */
  'ride-avro-source': avroSourceCodec({
    name: 'ride-avro-source',
    readerSchema: RIDE_AVRO_SCHEMA,
    schema: rideSchema,
  }) as ValueCodec<Ride>,
} as const;

export type RideAvroCodecName = keyof typeof rideAvroCodecs;
