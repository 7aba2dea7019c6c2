import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type Catalog, catalogOf, loadCatalog } from '../lib/catalog.js';
import { addStoreOptions, intArg, type StoreOptions } from '../lib/cliOptions.js';
import {
  DEFAULT_LOCAL_DATA_DIR,
  type DynamoContext,
  dynamoOptionsOf,
  openDynamo,
} from '../lib/dynamoContext.js';
import { type Output, processOutput } from '../lib/output.js';
import { claimStore } from '../lib/storeHolder.js';
import { startDashboard } from '../serve/startDashboard.js';

/** The page's port unless --port says otherwise: Vite's preview port, rarely taken by anything else. */
export const DEFAULT_SERVE_PORT = 4173;

/** Options of {@link runServe}; the flags of `serve`. */
export interface ServeOptions extends StoreOptions {
  /** @default 127.0.0.1: loopback only */
  readonly host?: string;
  /** @default {@link DEFAULT_SERVE_PORT}; 0 picks a free port */
  readonly port?: number;
  /** Loopback port of the embedded store that writers use as `--endpoint`. @default any free port */
  readonly storePort?: number;
  /** @default 1000 */
  readonly refreshMs?: number;
  /** @default data/taxi_zone_lookup.csv when it exists */
  readonly zonesFile?: string;
  /** Keep the embedded store in memory (tests). */
  readonly inMemory?: boolean;
  /** @default the catalog {@link loadCatalog} finds */
  readonly catalog?: Catalog;
}

/** A running `serve`: the page's address and the store's; close() ends both. */
export interface RunningServe {
  readonly url: string;
  /** The DynamoDB endpoint the page reads; for the embedded store, the one writers pass as --endpoint. */
  readonly storeEndpoint: string;
  readonly context: DynamoContext;
  close(): Promise<void>;
}

/**
 * Opens the store and serves the page. The embedded store (LevelDB) can be open in one
 * process only, so `serve` hosts it and prints the endpoint that `replay` and `run` write to
 * while the page is open; with --endpoint the page reads that DynamoDB and anyone may write.
 */
export async function runServe(
  options: ServeOptions = {},
  output: Output = processOutput,
): Promise<RunningServe> {
  const catalog = options.catalog ?? (await loadCatalog());
  const context = await openDynamo({
    ...dynamoOptionsOf(options),
    ...(options.storePort ? { embeddedPort: options.storePort } : {}),
  });
  let release = (): void => {};
  let dashboard: Awaited<ReturnType<typeof startDashboard>> | undefined;
  try {
    // At once, before the page build: other commands on this folder then point at the
    // endpoint instead of crashing in LevelDB.
    if (context.embedded && !options.inMemory) {
      release = claimStore(resolve(options.dataDir ?? DEFAULT_LOCAL_DATA_DIR), {
        pid: process.pid,
        endpoint: context.endpoint,
        command: 'serve',
      });
    }
    dashboard = await startDashboard({
      context,
      catalog,
      port: options.port ?? DEFAULT_SERVE_PORT,
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.refreshMs === undefined ? {} : { refreshMs: options.refreshMs }),
      ...(options.zonesFile === undefined ? {} : { zonesFile: options.zonesFile }),
    });
    output.out(`Results page: ${dashboard.url}`);
    if (options.host !== undefined && !['127.0.0.1', 'localhost', '::1'].includes(options.host)) {
      output.err(
        `warning: ${options.host} is not loopback; the page has no login: anyone reaching it reads the tables`,
      );
    }
    if (context.embedded) {
      output.out(
        `Store: the embedded store${options.inMemory ? ' (in memory)' : ` in ${resolve(options.dataDir ?? DEFAULT_LOCAL_DATA_DIR)}`}, hosted here at ${context.endpoint}`,
      );
      output.out('It can be open in one process only; while this runs, write to it through this endpoint:');
      output.out(`  npm run -s cli -- replay --file data/rides.csv --endpoint ${context.endpoint}`);
    } else {
      output.out(`Store: ${context.endpoint} (read every ${options.refreshMs ?? 1000} ms)`);
    }
    output.out('The page follows the store live (server-sent events). Ctrl-C stops.');
    const running = dashboard;
    return {
      url: running.url,
      storeEndpoint: context.endpoint,
      context,
      async close() {
        release();
        await running.close();
        await context.close();
      },
    };
  } catch (err) {
    release();
    await dashboard?.close();
    await context.close();
    throw err;
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

/** Registers `serve`. */
export function register(program: Command): void {
  addStoreOptions(
    program
      .command('serve')
      .description('serve a read-only results page (charts, live) on loopback')
      .option('--port <n>', 'port of the page (0: any free port)', intArg(0, 65_535), DEFAULT_SERVE_PORT)
      .option(
        '--host <address>',
        'address to listen on; anything but loopback exposes the tables',
        '127.0.0.1',
      )
      .option(
        '--store-port <n>',
        'loopback port of the embedded store, the --endpoint writers use (default: any free port)',
        intArg(1, 65_535),
      )
      .option('--refresh-ms <ms>', 'time between store reads', intArg(100, 60_000), 1000)
      .option('--zones-file <path>', 'zone lookup naming location ids', 'data/taxi_zone_lookup.csv'),
  )
    .addHelpText(
      'after',
      '\nThe embedded store can be open in one process only: serve hosts it; write to it with the\nendpoint serve prints, e.g. in a second terminal:\n  npm run -s cli -- serve --store-port 8765\n  npm run -s cli -- replay --file data/rides.csv --endpoint http://127.0.0.1:8765',
    )
    .action(async (o, cmd: Command) => {
      const running = await runServe({
        catalog: await catalogOf(cmd),
        port: o.port,
        host: o.host,
        storePort: o.storePort,
        refreshMs: o.refreshMs,
        zonesFile: o.zonesFile,
        endpoint: o.endpoint,
        dataDir: o.dataDir,
      });
      await untilInterrupted();
      await running.close();
    });
}
