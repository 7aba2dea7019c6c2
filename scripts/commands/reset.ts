import type { Command } from 'commander';
import { DEFAULT_LOCAL_DATA_DIR } from '../lib/dynamoContext.js';
import { resetLocalData } from '../lib/localData.js';
import { type Output, processOutput } from '../lib/output.js';

/** Deletes the embedded store's folder; returns whether there was one. */
export function runReset(options: { dataDir?: string } = {}, output: Output = processOutput): boolean {
  const dir = options.dataDir ?? DEFAULT_LOCAL_DATA_DIR;
  const deleted = resetLocalData(dir);
  output.err(deleted ? `deleted ${dir}` : `nothing to delete: ${dir} does not exist`);
  return deleted;
}

/** Registers `reset`. */
export function register(program: Command): void {
  program
    .command('reset')
    .description('delete the embedded DynamoDB data (tables are recreated empty on next use)')
    .option('--data-dir <dir>', 'folder of the embedded store (LOCAL_DATA_DIR)', DEFAULT_LOCAL_DATA_DIR)
    .addHelpText(
      'after',
      `\nThe embedded store (dynalite on LevelDB) keeps its data in ${DEFAULT_LOCAL_DATA_DIR}\n(.local/dynamo under the working directory unless LOCAL_DATA_DIR says otherwise).\nA remote --endpoint is never wiped by the CLI.`,
    )
    .action((o) => {
      runReset({ dataDir: o.dataDir });
    });
}
