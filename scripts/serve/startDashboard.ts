import { existsSync } from 'node:fs';
import { type Catalog, pipelinesOf } from '../../shared/engine/catalog.js';
import { loadZones, type Zone } from '../../shared/rides/schemas/index.js';
import type { DynamoContext } from '../lib/dynamoContext.js';
import { type DashboardServer, startDashboardServer } from './DashboardServer.js';
import { buildSnapshot } from './dashboardSnapshot.js';
import { buildPage } from './pageBundle.js';
import { readStoreContents } from './readStoreContents.js';
import { SnapshotFeed } from './SnapshotFeed.js';

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  /** An open store; the dashboard reads it and never writes. */
  readonly context: DynamoContext;
  readonly catalog: Catalog;
  /** Zone names for location keys. @default data/taxi_zone_lookup.csv when it exists, else ids only */
  readonly zonesFile?: string;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** @default 0: any free port */
  readonly port?: number;
  /** Time between store reads. @default 1000 */
  readonly refreshMs?: number;
}

/** A running dashboard: the page's address; close() stops reading and serving (not the store). */
export interface RunningDashboard {
  readonly url: string;
  readonly feed: SnapshotFeed;
  close(): Promise<void>;
}

/** The zone lookup the page names locations with; names are a convenience, ids alone are still right. */
export function zonesFrom(file = 'data/taxi_zone_lookup.csv'): ReadonlyMap<number, Zone> {
  return existsSync(file) ? loadZones(file) : new Map();
}

/**
 * Builds the page, reads the store once and serves both; then re-reads the store every
 * `refreshMs` and pushes changes to open pages.
 */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const pipelines = pipelinesOf(options.catalog);
  const zones = zonesFrom(options.zonesFile);
  const page = await buildPage();
  const feed = new SnapshotFeed({
    read: async () => buildSnapshot(pipelines, await readStoreContents(options.context, pipelines), zones),
    ...(options.refreshMs === undefined ? {} : { refreshMs: options.refreshMs }),
  });
  await feed.start();
  let server: DashboardServer;
  try {
    server = await startDashboardServer({
      page,
      feed,
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.port === undefined ? {} : { port: options.port }),
    });
  } catch (err) {
    await feed.stop();
    throw err;
  }
  return {
    url: server.url,
    feed,
    async close() {
      await server.close();
      await feed.stop();
    },
  };
}
