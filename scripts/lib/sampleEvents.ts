import { LocalSchemaDirectory } from '../../shared/engine/decode/avro/LocalSchemaDirectory.js';
import { DEFAULT_SCHEMA_DIR } from '../../shared/engine/decode/avro/schemaSourceFromEnv.js';
import { RIDES_AVRO_TOPIC } from '../../shared/rides/rideAvroHandlers.js';
import type { EventsOptions } from '../commands/events.js';

/**
 * The sample events committed under `events/`, each made by the `events` command with these
 * options. `npm run -s cli -- events --samples` rewrites them all; a test checks the files
 * still equal what the command makes, so they cannot drift from the code.
 */
export const SAMPLE_EVENTS: ReadonlyArray<EventsOptions & { readonly out: string; readonly about: string }> =
  [
    {
      about: 'the first 10 bundled rides from MSK, keyed by DOLocationID over 3 partitions',
      file: 'data/rides.csv',
      partitions: 3,
      limit: 10,
      source: 'msk',
      out: 'events/rides-msk.json',
    },
    {
      about: 'the same rides from self-managed Kafka (Confluent Cloud): no eventSourceArn',
      file: 'data/rides.csv',
      partitions: 3,
      limit: 10,
      source: 'self-managed',
      out: 'events/rides-self-managed.json',
    },
    {
      about: 'three good rides, a tombstone, invalid JSON and a schema failure (PULocationID "Kips Bay")',
      file: 'events/sources/rides-with-bad-records.records.jsonl',
      partitions: 3,
      source: 'msk',
      out: 'events/rides-with-bad-records.json',
    },
    {
      about:
        'the first 10 rides as Confluent-framed Avro on rides-avro (schema id 1 of data/schemas), for the Avro twins',
      file: 'data/rides.csv',
      topic: RIDES_AVRO_TOPIC,
      partitions: 3,
      limit: 10,
      source: 'msk',
      valueFormat: 'avro',
      // An existing id, so writing the sample registers nothing in data/schemas.
      avro: { registrar: new LocalSchemaDirectory(DEFAULT_SCHEMA_DIR), schemaId: 1 },
      out: 'events/rides-avro-msk.json',
    },
  ];
