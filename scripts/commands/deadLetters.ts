import type { Command } from 'commander';
import { pipelinesOf } from '../../shared/engine/catalog.js';
import type { DeadLetter } from '../../shared/engine/process/index.js';
import { type Catalog, catalogOf, loadCatalog } from '../lib/catalog.js';
import { addStoreOptions, type StoreOptions } from '../lib/cliOptions.js';
import { type DynamoContext, dynamoOptionsOf, openDynamo } from '../lib/dynamoContext.js';
import { type Output, processOutput } from '../lib/output.js';
import { formatTable } from '../lib/textTable.js';

/** Options of {@link runDeadLetters}. */
export interface DeadLettersOptions extends StoreOptions {
  readonly pipeline?: string;
  readonly json?: boolean;
  /** Whose pipeline names an empty result lists. @default the catalog {@link loadCatalog} finds */
  readonly catalog?: Catalog;
  readonly context?: DynamoContext;
}

/** Sorted by pipeline, partition, offset, then window: the order a person reads a log in. */
export function compareDeadLetters(a: DeadLetter, b: DeadLetter): number {
  return (
    a.pipeline.localeCompare(b.pipeline) ||
    a.topic.localeCompare(b.topic) ||
    a.partition - b.partition ||
    a.offset - b.offset ||
    (a.windowStartMs ?? 0) - (b.windowStartMs ?? 0)
  );
}

/** The `--json` shape of a dead letter: coordinates, reason, and for late records the closed window. */
export function deadLetterToJson(d: DeadLetter): Record<string, unknown> {
  return {
    pipeline: d.pipeline,
    kind: d.kind,
    topic: d.topic,
    partition: d.partition,
    offset: d.offset,
    code: d.code,
    reason: d.reason,
    field: d.field ?? null,
    key: d.key,
    value: d.value,
    ...(d.windowStartMs === undefined
      ? {}
      : {
          windowStart: new Date(d.windowStartMs).toISOString(),
          windowEnd: new Date(d.windowEndMs ?? d.windowStartMs).toISOString(),
          streamTime: d.streamTimeMs === undefined ? null : new Date(d.streamTimeMs).toISOString(),
        }),
  };
}

/** Lists rejected (`invalid`) and `late` records from the dead-letter table. */
export async function runDeadLetters(
  options: DeadLettersOptions,
  output: Output = processOutput,
): Promise<DeadLetter[]> {
  const ctx = options.context ?? (await openDynamo(dynamoOptionsOf(options)));
  try {
    const letters = (await ctx.stores.deadLetters.list(options.pipeline)).sort(compareDeadLetters);
    if (options.json) {
      for (const d of letters) output.out(JSON.stringify(deadLetterToJson(d)));
      return letters;
    }
    if (letters.length === 0) {
      const known = pipelinesOf(options.catalog ?? (await loadCatalog())).map((p) => p.name);
      output.out(
        options.pipeline && !known.includes(options.pipeline)
          ? `no dead letters for "${options.pipeline}" (known pipelines: ${known.join(', ')})`
          : `no dead letters${options.pipeline ? ` for ${options.pipeline}` : ''}`,
      );
      return letters;
    }
    const table = formatTable(
      ['pipeline', 'kind', 'topic', 'partition', 'offset', 'code', 'field', 'reason'],
      letters.map((d) => [
        d.pipeline,
        d.kind,
        d.topic,
        d.partition,
        d.offset,
        d.code,
        d.field ?? '',
        d.reason,
      ]),
      ['left', 'left', 'left', 'right', 'right', 'left', 'left', 'left'],
    );
    for (const line of table) output.out(line);
    const late = letters.filter((d) => d.kind === 'late').length;
    output.out(`${letters.length} dead letter(s): ${letters.length - late} invalid, ${late} late`);
    return letters;
  } finally {
    if (!options.context) await ctx.close();
  }
}

/** Registers `dead-letters`. */
export function register(program: Command): void {
  addStoreOptions(
    program
      .command('dead-letters')
      .description('list rejected (invalid) and late records from the dead-letter table')
      .option('--pipeline <name>', 'only this pipeline (of the catalog)')
      .option('--json', 'one JSON object per line, with the raw value'),
  ).action(async (o, cmd: Command) => {
    await runDeadLetters({
      catalog: await catalogOf(cmd),
      pipeline: o.pipeline,
      json: o.json,
      endpoint: o.endpoint,
      dataDir: o.dataDir,
    });
  });
}
