import { resolve } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, createPipelineStores } from '../../shared/engine/store/dynamo/index.js';
import { type PipelineStores, type TableNames, tableNamesFromEnv } from '../../shared/engine/store/index.js';
import {
  type EmbeddedDynamo,
  ensureTables,
  startEmbeddedDynamo,
  startEmbeddedDynamoProcess,
} from '../../shared/local/index.js';
import { requireNotHeld } from './storeHolder.js';

/** Where the embedded DynamoDB keeps its data between CLI runs (LevelDB files). */
export const DEFAULT_LOCAL_DATA_DIR = resolve(process.env.LOCAL_DATA_DIR ?? '.local/dynamo');

/** Options every CLI command that touches DynamoDB accepts. */
export interface DynamoCliOptions {
  /** An endpoint (dynalite, DynamoDB Local, AWS); else DYNAMODB_ENDPOINT; else the embedded store. */
  endpoint?: string;
  /** Folder of the embedded store. @default .local/dynamo (or LOCAL_DATA_DIR) */
  dataDir?: string;
  /** Always use the embedded store, even when DYNAMODB_ENDPOINT is set (`start`). */
  forceEmbedded?: boolean;
  /** Keep the embedded store in memory only. */
  inMemory?: boolean;
  /**
   * Host the embedded store in a child process (startEmbeddedDynamoProcess) instead of this
   * one, so dynalite does not share this process's event loop with the runner and handlers.
   * @default false: one process, as `serve` and `query` need nothing faster
   */
  storeProcess?: boolean;
  /**
   * Loopback port of the embedded store, so other processes can write to it while this one
   * holds it open (`serve`: LevelDB allows one process per folder). @default 0: any free port
   */
  embeddedPort?: number;
  /** Wall clock the stores use for TTL attributes; fixed in tests so tables compare equal. @default Date.now */
  nowMs?: () => number;
}

/** The flags of a command that choose its DynamoDB, unset ones as undefined. */
export type DynamoFlags = {
  readonly [K in 'endpoint' | 'dataDir' | 'inMemory']?: DynamoCliOptions[K] | undefined;
};

/** The DynamoDB options among a command's flags, unset ones left out. */
export function dynamoOptionsOf(flags: DynamoFlags): DynamoCliOptions {
  return {
    ...(flags.endpoint ? { endpoint: flags.endpoint } : {}),
    ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
    ...(flags.inMemory ? { inMemory: true } : {}),
  };
}

/** An open connection for a CLI command; call close() when done. */
export interface DynamoContext {
  readonly endpoint: string;
  readonly embedded: boolean;
  /** The process serving the embedded store (this one unless `storeProcess`); undefined for a given endpoint. */
  readonly storePid: number | undefined;
  readonly doc: DynamoDBDocumentClient;
  readonly tables: TableNames;
  readonly stores: PipelineStores;
  close(): Promise<void>;
}

/**
 * Opens DynamoDB for a CLI command: the given endpoint or DYNAMODB_ENDPOINT if any (tables
 * must exist there, except on loopback where they are created), else an embedded dynalite
 * whose data persists in `.local/dynamo`, so `query` sees what `replay` wrote.
 */
export async function openDynamo(options: DynamoCliOptions = {}): Promise<DynamoContext> {
  const tables = tableNamesFromEnv();
  const given = options.forceEmbedded ? undefined : (options.endpoint ?? process.env.DYNAMODB_ENDPOINT);
  let embedded: EmbeddedDynamo | undefined;
  let endpoint: string;
  if (given) {
    endpoint = given;
    if (/^https?:\/\/(127\.|localhost|\[::1\])/.test(given)) await ensureTables(given, tables);
  } else {
    const dataDir = resolve(options.dataDir ?? DEFAULT_LOCAL_DATA_DIR);
    if (!options.inMemory) requireNotHeld(dataDir, 'open');
    embedded = options.storeProcess
      ? await startEmbeddedDynamoProcess(options.inMemory ? {} : { path: dataDir })
      : await startEmbeddedDynamo({
          ...(options.inMemory ? {} : { path: dataDir }),
          ...(options.embeddedPort ? { port: options.embeddedPort } : {}),
        });
    endpoint = embedded.endpoint;
    await ensureTables(endpoint, tables);
  }
  const doc = createDocumentClient({ endpoint });
  return {
    endpoint,
    embedded: embedded !== undefined,
    storePid: embedded?.pid,
    doc,
    tables,
    stores: createPipelineStores(doc, tables, options.nowMs ? { nowMs: options.nowMs } : {}),
    async close() {
      doc.destroy();
      await embedded?.close();
    },
  };
}
