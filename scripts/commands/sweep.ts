import type { Command } from 'commander';
import { pipelinesOf } from '../../shared/engine/catalog.js';
import { ConfigError } from '../../shared/engine/errors/index.js';
import { type FinalizeCounts, sweepFinalResults } from '../../shared/engine/final/index.js';
import { TopicFilesSink } from '../../shared/local/io/index.js';
import { type Catalog, catalogOf, loadCatalog } from '../lib/catalog.js';
import { addStoreOptions, listArg, type StoreOptions } from '../lib/cliOptions.js';
import {
  DEFAULT_LOCAL_DATA_DIR,
  type DynamoContext,
  dynamoOptionsOf,
  openDynamo,
} from '../lib/dynamoContext.js';
import { type Output, processOutput } from '../lib/output.js';
import { defaultTopicsDir } from './replay.js';

/** Options of {@link runSweep}; the flags of `sweep`. */
export interface SweepOptions extends StoreOptions {
  /** Pipelines to sweep. @default every pipeline of the catalog with final results */
  readonly pipelines?: readonly string[];
  /** Where final results go (JSON lines per topic). @default .local/topics beside the data dir */
  readonly outDir?: string;
  /** The wall clock the idleness rule reads. @default Date.now */
  readonly nowMs?: () => number;
  readonly catalog?: Catalog;
  readonly context?: DynamoContext;
}

/**
 * One pass of the final-results sweeper (what the scheduled function does in AWS): emits
 * the windows that idle partitions or the wall clock closed, to topic files.
 */
export async function runSweep(
  options: SweepOptions = {},
  output: Output = processOutput,
): Promise<Map<string, FinalizeCounts>> {
  const catalog = options.catalog ?? (await loadCatalog());
  const all = pipelinesOf(catalog).filter((p) => p.kind === 'windowed-aggregate' && p.final);
  const chosen = options.pipelines ? all.filter((p) => options.pipelines!.includes(p.name)) : all;
  if (chosen.length === 0 || (options.pipelines && chosen.length !== options.pipelines.length)) {
    throw new ConfigError(
      `sweep runs pipelines with final results; those of the catalog: ${all.map((p) => p.name).join(', ') || 'none'}`,
    );
  }
  const ctx = options.context ?? (await openDynamo(dynamoOptionsOf(options)));
  try {
    const sink = new TopicFilesSink(
      options.outDir ?? defaultTopicsDir(options.dataDir ?? DEFAULT_LOCAL_DATA_DIR),
    );
    const counts = await sweepFinalResults(chosen, {
      stores: ctx.stores,
      sink,
      nowMs: options.nowMs ?? Date.now,
    });
    for (const [name, c] of counts) {
      const bound = Number.isFinite(c.boundMs) ? new Date(c.boundMs).toISOString() : String(c.boundMs);
      output.out(
        `${name}: ${c.emitted} final result(s) sent, ${c.marked} marked final (windows closing up to ${bound})`,
      );
    }
    for (const line of sink.summaryLines()) output.out(line);
    return counts;
  } finally {
    if (!options.context) await ctx.close();
  }
}

/** Registers `sweep`. */
export function register(program: Command): void {
  addStoreOptions(
    program
      .command('sweep')
      .description('emit final results that idle partitions or the wall clock closed (the scheduled sweeper)')
      .option(
        '--pipelines <names>',
        'comma-separated pipeline names (default: all with final results)',
        listArg,
      )
      .option('--out-dir <dir>', 'folder of the topic files (default: .local/topics)'),
  ).action(async (o, cmd: Command) => {
    await runSweep({
      catalog: await catalogOf(cmd),
      pipelines: o.pipelines,
      outDir: o.outDir,
      endpoint: o.endpoint,
      dataDir: o.dataDir,
    });
  });
}
