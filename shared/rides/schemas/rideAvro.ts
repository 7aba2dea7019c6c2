import type { Schema } from 'avsc';

/** A nullable field as Avro spells it: a union with null first, so `null` can be the default. */
const nullable = (type: 'int' | 'double' | 'string') => ({ type: ['null', type] as Schema, default: null });
// avsc's types have no primitive-with-logicalType shape; Avro's specification does.
const timestampMs = { type: 'long', logicalType: 'timestamp-millis' } as unknown as Schema;

/**
 * The Avro schema of a yellow ride (`rides-value`), in the TLC's field names so every ride
 * pipeline reads Avro rides with the same specs as JSON ones. It carries the course's
 * `taxi_ride_value.avsc` fields (vendor_id, passenger_count, trip_distance, payment_type,
 * total_amount, there in snake case) and the rest of a `data/rides.csv` row, so Avro and JSON
 * rides give the same tables (test/shared/rides/rideAvro.test.ts compares them). Datetimes
 * are epoch ms (`timestamp-millis`): what the JSON codecs parse the text datetimes to.
 * `data/schemas/rides-value.1.avsc` is this schema as a file (a test keeps them equal).
 */
export const RIDE_AVRO_SCHEMA: Schema = {
  type: 'record',
  name: 'YellowRide',
  namespace: 'kafka_lambda_streams.rides',
  doc: 'A yellow-taxi trip record (TLC), as in data/rides.csv',
  fields: [
    { name: 'VendorID', type: 'int' },
    { name: 'tpep_pickup_datetime', type: timestampMs },
    { name: 'tpep_dropoff_datetime', type: timestampMs },
    { name: 'passenger_count', ...nullable('int') },
    { name: 'trip_distance', type: 'double' },
    { name: 'RatecodeID', ...nullable('int') },
    { name: 'store_and_fwd_flag', ...nullable('string') },
    { name: 'PULocationID', type: 'int' },
    { name: 'DOLocationID', type: 'int' },
    { name: 'payment_type', ...nullable('int') },
    { name: 'fare_amount', type: 'double' },
    { name: 'extra', type: 'double' },
    { name: 'mta_tax', type: 'double' },
    { name: 'tip_amount', type: 'double' },
    { name: 'tolls_amount', type: 'double' },
    { name: 'improvement_surcharge', type: 'double' },
    { name: 'total_amount', type: 'double' },
    { name: 'congestion_surcharge', ...nullable('double') },
  ],
};
