import type { HandlerSpec } from '../engine/process/index.js';
import { rideHandlers } from './ridePipelines.js';

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
