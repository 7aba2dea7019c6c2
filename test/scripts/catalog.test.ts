import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../scripts/commands/query.js';
import { runReplay } from '../../scripts/commands/replay.js';
import {
  CATALOG_ENV,
  catalogModulePath,
  DEFAULT_CATALOG_MODULE,
  loadCatalog,
} from '../../scripts/lib/catalog.js';
import { captureOutput } from '../../scripts/lib/output.js';

const TRIPS_CATALOG = resolve('test/scripts/support/trips.catalog.ts');
const CLI = resolve('scripts/cli.ts');
const TSX = resolve('node_modules/.bin/tsx');

describe('loadCatalog', () => {
  it('takes --catalog first, then STREAMS_CATALOG, then functions/catalog.ts', () => {
    expect(catalogModulePath('a.ts', { [CATALOG_ENV]: 'b.ts' })).toBe(resolve('a.ts'));
    expect(catalogModulePath(undefined, { [CATALOG_ENV]: 'b.ts' })).toBe(resolve('b.ts'));
    expect(catalogModulePath(undefined, {})).toBe(DEFAULT_CATALOG_MODULE);
    expect(DEFAULT_CATALOG_MODULE).toBe(resolve('functions/catalog.ts'));
  });

  it('loads the handlers a module exports as `catalog`', async () => {
    const catalog = await loadCatalog(TRIPS_CATALOG, {});
    expect(catalog.handlers.map((h) => h.name)).toEqual(['trips-by-city']);
  });

  it('names the module when it is missing or exports no catalog', async () => {
    await expect(loadCatalog('no/such/catalog.ts', {})).rejects.toThrow(
      /no\/such\/catalog\.ts does not exist/,
    );
    await expect(loadCatalog('test/scripts/support/mixedRides.ts', {})).rejects.toThrow(
      /must export `catalog`/,
    );
  });

  it('lists the catalog’s pipelines when a name is unknown', async () => {
    const catalog = await loadCatalog(TRIPS_CATALOG, {});
    await expect(runQuery({ pipeline: 'pickup-5m', catalog }, captureOutput())).rejects.toThrow(
      'known pipelines: trips-per-city',
    );
    await expect(
      runReplay(
        { file: 'data/rides.csv', pipelines: ['pickup-5m'], catalog, inMemory: true },
        captureOutput(),
      ),
    ).rejects.toThrow('known pipelines: trips-per-city (or handlers: trips-by-city)');
  });
});

describe('--catalog with a pipeline outside the ride example (spawned CLI)', () => {
  let dir: string;
  let file: string;
  const cli = (...args: string[]) =>
    spawnSync(TSX, [CLI, ...args, '--data-dir', join(dir, 'store')], {
      cwd: dir, // any cwd: the default catalog and functions/ are found from the CLI's file
      encoding: 'utf8',
      env: { ...process.env, [CATALOG_ENV]: '' },
    });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cli-catalog-'));
    file = join(dir, 'trips.jsonl');
    const trips = [
      { city: 'Lisbon', at: 1714557600000 },
      { city: 'Porto', at: 1714557660000 },
      { city: 'Lisbon', at: 1714557720000 },
      { nope: true, at: 1714557780000 },
      { city: 'Lisbon', at: 1714557840000 },
    ];
    writeFileSync(file, `${trips.map((t) => JSON.stringify(t)).join('\n')}\n{not json\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('replays, queries and lists dead letters of the catalog’s pipeline', () => {
    const replay = cli(
      'replay',
      '--catalog',
      TRIPS_CATALOG,
      '--file',
      file,
      '--topic',
      'trips',
      '--key-field',
      'city',
      '--timestamp-field',
      'at',
      '--fresh',
    );
    expect(replay.status, replay.stderr).toBe(0);
    expect(replay.stderr).toContain('through trips-per-city');

    const query = cli('--catalog', TRIPS_CATALOG, 'query', 'trips-per-city', '--json');
    expect(query.status, query.stderr).toBe(0);
    const rows = query.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; count: number; windowStart: unknown });
    expect(rows.map((r) => [r.key, r.count, r.windowStart])).toEqual([
      ['Lisbon', 3, null],
      ['Porto', 1, null],
    ]);

    const letters = cli('dead-letters', '--json', '--catalog', TRIPS_CATALOG);
    expect(letters.status, letters.stderr).toBe(0);
    const dead = letters.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { pipeline: string; kind: string; code: string });
    expect(dead.map((d) => [d.pipeline, d.kind])).toEqual([
      ['trips-per-city', 'invalid'],
      ['trips-per-city', 'invalid'],
    ]);
  }, 120_000);

  it('names the catalog’s pipelines when --catalog does not hold the one asked for', () => {
    const query = cli('query', 'pickup-5m', '--catalog', TRIPS_CATALOG);
    expect(query.status).toBe(1);
    expect(query.stderr).toContain('known pipelines: trips-per-city');
  }, 60_000);
});
