import type { HandlerSpec } from '../engine/process/index.js';
import { rideHandler, rideHandlers } from './ridePipelines.js';

/** The topic `produce --value-format avro` writes rides to in the README's Avro walk-through. */
export const RIDES_AVRO_TOPIC = 'rides-avro';

/**
 * A ride handler reading Confluent-framed Avro rides from `topic` (codec `ride-avro`), its
 * pipelines renamed with `-avro` so they can share tables with the JSON ones: pipelines are
 * data, so the Avro path is the same spec with another topic and codec, and gives the same
 * tables (test/shared/rides/rideAvro.test.ts).
 */
export function rideAvroTwin(
  spec: HandlerSpec,
  topic: string = RIDES_AVRO_TOPIC,
  codec = 'ride-avro',
): HandlerSpec {
  return {
    ...spec,
    name: `${spec.name}-avro`,
    description: `${spec.description} (Avro rides from ${topic})`,
    topic,
    pipelines: spec.pipelines.map((p) => ({ ...p, name: `${p.name}-avro`, topic, codec })),
  };
}

/** The Avro twins of every ride handler, for the local runner (`run --function NAME-avro`). */
export const rideAvroHandlers: readonly HandlerSpec[] = rideHandlers.map((h) => rideAvroTwin(h));

/**
 * The Avro twin of a ride handler by the JSON handler's name: `rideAvroHandler('rides-tumbling-by-pickup')`
 * is `rides-tumbling-by-pickup-avro`, reading `rides-avro` with `ride-avro`. The catalog lists
 * the twins it deploys, so they run by name in `invoke`, `replay`, `run` and the CDK app.
 */
export function rideAvroHandler(jsonHandlerName: string): HandlerSpec {
  return rideAvroTwin(rideHandler(jsonHandlerName));
}

/**
 * The twins the catalog deploys: one windowed aggregation, enough to run the Avro path by name
 * end to end; every other twin is one line here (each costs a Lambda function and a mapping).
 */
export const rideAvroCatalogHandlers: readonly HandlerSpec[] = [rideAvroHandler('rides-tumbling-by-pickup')];
