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
  ];
