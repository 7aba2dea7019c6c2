import { type Command, Option } from 'commander';
import {
  DEFAULT_SCHEMA_DIR,
  schemaSourceFromEnv,
} from '../../shared/engine/decode/avro/schemaSourceFromEnv.js';
import type { SchemaRegistrar } from '../../shared/engine/decode/avro/WriterSchemaSource.js';
import { intArg } from './cliOptions.js';

/** The formats a value or key can be written and read in by the Kafka tools. */
export type RecordFormat = 'json' | 'csv' | 'avro';

/** Flags of the commands that write or read Avro (`produce`, `datagen`, `consume`). */
export interface SchemaRegistryFlags {
  readonly schemaRegistry?: string;
  readonly schemaDir?: string;
  readonly valueSchema?: string;
  readonly keySchema?: string;
  readonly schemaId?: number;
  readonly keySchemaId?: number;
}

/**
 * Adds the schema flags. Where schemas live: `--schema-registry URL` (a Confluent-compatible
 * registry; @default $SCHEMA_REGISTRY_URL) or else the local directory `--schema-dir`
 * (@default $SCHEMA_DIR or data/schemas), so Avro works with no registry at all.
 */
export function addSchemaRegistryFlags(
  command: Command,
  options: {
    producing: boolean;
    /** Whether the command writes Avro keys too (`replay` writes values only). @default true */
    keys?: boolean;
  },
): Command {
  command
    .option(
      '--schema-registry <url>',
      'Confluent-compatible schema registry (default: $SCHEMA_REGISTRY_URL; none: the local --schema-dir)',
    )
    .option(
      '--schema-dir <dir>',
      `local schema directory of <subject>.<id>.avsc files, used without a registry (default: $SCHEMA_DIR or ${DEFAULT_SCHEMA_DIR})`,
    );
  if (options.producing) {
    command
      .option(
        '--value-schema <file>',
        'Avro schema (.avsc) of the values, registered under <topic>-value (default: the subject latest schema)',
      )
      .addOption(
        new Option('--schema-id <id>', 'write values with this existing schema id').argParser(intArg(1)),
      );
    if (options.keys ?? true) {
      command
        .option('--key-schema <file>', 'Avro schema (.avsc) of the keys, registered under <topic>-key')
        .addOption(
          new Option('--key-schema-id <id>', 'write keys with this existing schema id').argParser(intArg(1)),
        );
    }
  }
  return command;
}

/** The registry (or local directory) the flags name; the environment fills what they leave out. */
export function registrarFrom(
  flags: SchemaRegistryFlags,
  env: NodeJS.ProcessEnv = process.env,
): SchemaRegistrar {
  return schemaSourceFromEnv({
    ...env,
    ...(flags.schemaRegistry === undefined ? {} : { SCHEMA_REGISTRY_URL: flags.schemaRegistry }),
    ...(flags.schemaDir === undefined ? {} : { SCHEMA_DIR: flags.schemaDir }),
  });
}
