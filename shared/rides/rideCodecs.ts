import { avroCodec } from '../engine/decode/avro/avroCodec.js';
import { avroSourceCodec } from '../engine/decode/avro/avroSourceCodec.js';
import { lambdaDeliveredAvroCodec } from '../engine/decode/avro/lambdaDeliveredAvroCodec.js';
import { schemaSourceFromEnv } from '../engine/decode/avro/schemaSourceFromEnv.js';
import { csvCodec } from '../engine/decode/csvCodec.js';
import { jsonCodec } from '../engine/decode/jsonCodec.js';
import type { ValueCodec } from '../engine/decode/valueCodec.js';
import {
  GREEN_COLUMNS,
  greenRideSchema,
  type PickupLocation,
  pickupLocationSchema,
  RIDE_AVRO_SCHEMA,
  type Ride,
  rideSchema,
  YELLOW_COLUMNS,
  yellowRideSchema,
} from './schemas/index.js';

/** The codecs a pipeline spec can name for ride topics. */
export const rideCodecs = {
  /** JSON rides, yellow or green. */
  'ride-json': jsonCodec(rideSchema) as ValueCodec<Ride>,
  /** Header-less yellow CSV lines, as in `data/rides.csv`. */
  'yellow-csv': csvCodec(YELLOW_COLUMNS, yellowRideSchema) as ValueCodec<Ride>,
  /** Header-less green CSV lines. */
  'green-csv': csvCodec(GREEN_COLUMNS, greenRideSchema) as ValueCodec<Ride>,
  /** JSON pickup-location events (the course's stream-stream join input). */
  'pickup-location-json': jsonCodec(pickupLocationSchema) as ValueCodec<PickupLocation>,
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

export type RideCodecName = keyof typeof rideCodecs;
