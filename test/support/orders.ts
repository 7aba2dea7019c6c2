import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { openDynamo } from '../../scripts/lib/dynamoContext.js';
import { rowFromItem } from '../../shared/engine/store/dynamo/index.js';

/** The bundled Datagen-shaped orders file. */
export const ORDERS_FILE = join('data', 'orders.jsonl');

/** The non-empty lines of `data/orders.jsonl`, as written (some are malformed on purpose). */
export function readOrderLines(file: string = ORDERS_FILE): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

/** A CLI run's exit status and output. */
export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `tsx scripts/cli.ts ...args` with the app's catalog named explicitly (STREAMS_CATALOG),
 * so the orders handler is known to every command that reads the catalog.
 */
export function cli(args: readonly string[], env: Record<string, string> = {}): CliRun {
  const run = spawnSync('npx', ['tsx', 'scripts/cli.ts', ...args], {
    encoding: 'utf8',
    timeout: 170_000,
    env: {
      ...process.env,
      STREAMS_CATALOG: 'functions/catalog.ts',
      POWERTOOLS_METRICS_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Lines of JSON output as objects. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * What an embedded store under `dataDir` holds, read without the CLI: aggregate rows (no
 * exactly-once bookkeeping) and dead letters by content (no partition or offset, which depend
 * on how key-less records were spread), both sorted.
 */
export async function tablesIn(dataDir: string) {
  const ctx = await openDynamo({ forceEmbedded: true, dataDir });
  try {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await ctx.doc.send(
        new ScanCommand({ TableName: ctx.tables.aggregates, ExclusiveStartKey }),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    const aggregates = items
      .map(rowFromItem)
      .sort((a, b) =>
        `${a.pipeline}#${a.key}#${a.windowStartMs}`.localeCompare(
          `${b.pipeline}#${b.key}#${b.windowStartMs}`,
        ),
      );
    const deadLetters = (await ctx.stores.deadLetters.list())
      .map((d) => ({
        pipeline: d.pipeline,
        kind: d.kind,
        code: d.code,
        key: d.key,
        value: d.value,
        windowStartMs: d.windowStartMs ?? null,
      }))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    return { aggregates, deadLetters };
  } finally {
    await ctx.close();
  }
}
