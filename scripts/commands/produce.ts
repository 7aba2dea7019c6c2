import { type Command, Option } from 'commander';
import { intArg } from '../lib/cliOptions.js';
import { addBrokerOption } from '../lib/kafkaConnect.js';
import { interruptSignal } from '../lib/kafkaInterrupt.js';
import {
  addProduceFlags,
  DEFAULT_RIDE_KEY_FIELD,
  keyFieldFrom,
  type ProduceFlags,
} from '../lib/kafkaOptions.js';
import { runProduce } from '../lib/produceFile.js';
import {
  addSchemaRegistryFlags,
  registrarFrom,
  type SchemaRegistryFlags,
} from '../lib/schemaRegistryFlags.js';

/** `runProduce` lives in scripts/lib/produceFile.ts (start produces too); re-exported for callers of this module. */
export { type ProduceOptions, runProduce } from '../lib/produceFile.js';

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** Registers `produce`. */
export function register(program: Command): void {
  const command = program
    .command('produce')
    .description(
      'Produce a CSV (with header) or JSON-lines file to a topic: idempotent producer, acks=all, batched, ' +
        'optionally rate-limited; prints records, bytes, partitions and time',
    )
    .requiredOption('--topic <name>', 'topic to write to (create it first: topics create NAME)')
    .requiredOption('--file <path>', 'a .csv file with a header row, or JSON lines (.jsonl)')
    .addOption(
      new Option('--format <format>', 'input format (default: from the extension)').choices(['csv', 'jsonl']),
    )
    .addOption(
      new Option(
        '--value-format <format>',
        'value as a JSON object, the CSV line itself (CSV input only), or Confluent-framed Avro (see --value-schema)',
      )
        .choices(['json', 'csv', 'avro'])
        .default('json'),
    )
    .addOption(
      new Option('--key-format <format>', 'key as text, or Confluent-framed Avro (see --key-schema)')
        .choices(['string', 'avro'])
        .default('string'),
    )
    .option('--count <n>', 'stop after N records', intArg(1))
    .option(
      '--tombstones',
      'send a tombstone (null value) for the key of each record instead of the record: deletes those keys from a compacted topic',
    )
    .option(
      '--allow-malformed',
      'send every line: malformed ones (wrong field count, broken quoting, invalid JSON) as they are, missing key field: no key',
    );
  addSchemaRegistryFlags(addProduceFlags(addBrokerOption(command)), { producing: true });
  command.addHelpText(
    'after',
    `
Keys: rides are keyed by ${DEFAULT_RIDE_KEY_FIELD} (as in the course) unless --key-field or --no-key says otherwise.
Examples:
  npm run cli -- produce --topic rides --file data/rides.csv
  npm run cli -- produce --topic rides --file data/rides.csv --rate 2          # one ride every 500 ms
  npm run cli -- produce --topic rides --file rides.jsonl --count 1000 --timestamp-field tpep_pickup_datetime
  npm run cli -- topics create zones --compact --partitions 1
  npm run cli -- produce --topic zones --file data/taxi_zone_lookup.csv --key-field locationid   # 265 zones
  npm run cli -- produce --topic zones --file gone.csv --key-field locationid --tombstones      # gone.csv: locationid, then one id a line
  npm run cli -- produce --topic rides-avro --file data/rides.csv --value-format avro --value-schema data/schemas/rides-value.1.avsc
  npm run cli -- produce --topic rides-avro --file data/rides.csv --value-format avro --schema-registry http://localhost:8081
Key fields match exactly (data/taxi_zone_lookup.csv spells its columns locationid, borough, zone, service_zone).`,
  );
  command.action(
    async (
      flags: ProduceFlags &
        SchemaRegistryFlags & {
          topic: string;
          file: string;
          format?: 'csv' | 'jsonl';
          valueFormat: 'json' | 'csv' | 'avro';
          keyFormat: 'string' | 'avro';
          count?: number;
          tombstones?: boolean;
          allowMalformed?: boolean;
          brokers?: string;
        },
    ) => {
      const interrupt = interruptSignal();
      try {
        await runProduce({
          topic: flags.topic,
          file: flags.file,
          keyField: keyFieldFrom(flags),
          valueFormat: flags.valueFormat,
          keyFormat: flags.keyFormat,
          ...(flags.valueFormat === 'avro' || flags.keyFormat === 'avro'
            ? {
                avro: {
                  registrar: registrarFrom(flags),
                  valueSchema: flags.valueSchema,
                  schemaId: flags.schemaId,
                  keySchema: flags.keySchema,
                  keySchemaId: flags.keySchemaId,
                },
              }
            : {}),
          signal: interrupt.signal,
          ...pick(flags, [
            'format',
            'count',
            'timestampField',
            'compression',
            'quiet',
            'brokers',
            'allowMalformed',
            'tombstones',
          ]),
          ...(flags.rate === undefined ? {} : { ratePerSecond: flags.rate }),
          ...(flags.header === undefined ? {} : { headers: flags.header }),
        });
      } finally {
        interrupt.dispose();
      }
    },
  );
}
