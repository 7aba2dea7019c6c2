import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import type { Catalog } from '../../shared/engine/catalog.js';
import { ConfigError } from '../../shared/engine/errors/index.js';

export type { Catalog };

/** The environment variable naming a catalog module when `--catalog` is not given. */
export const CATALOG_ENV = 'STREAMS_CATALOG';

/**
 * This repo's catalog, found from this file rather than the working directory, so the CLI
 * reads the same handlers from any folder.
 */
export const DEFAULT_CATALOG_MODULE = ((): string => {
  // `.ts` in this repo (run through tsx), `.js` in the compiled package (dist/).
  const at = (ext: string) => fileURLToPath(new URL(`../../functions/catalog.${ext}`, import.meta.url));
  return existsSync(at('ts')) ? at('ts') : at('js');
})();

/**
 * The catalog module to load: `--catalog`, else STREAMS_CATALOG, else this repo's
 * `functions/catalog.ts`. Relative paths are taken from the working directory, as a person
 * typing them means.
 */
export function catalogModulePath(path?: string, env: NodeJS.ProcessEnv = process.env): string {
  const given = path?.trim() || env[CATALOG_ENV]?.trim();
  return given ? resolve(given) : DEFAULT_CATALOG_MODULE;
}

// One import per module: every command of a run, and every test, sees the same objects.
const loaded = new Map<string, Promise<Catalog>>();

/**
 * Loads a module that exports `catalog` (see `defineCatalog`); the error says which module
 * and what it should export. Importing it registers its codecs.
 */
export function loadCatalog(path?: string, env: NodeJS.ProcessEnv = process.env): Promise<Catalog> {
  const modulePath = catalogModulePath(path, env);
  let catalog = loaded.get(modulePath);
  if (!catalog) {
    catalog = importCatalog(modulePath);
    loaded.set(modulePath, catalog);
    // A failed load is not cached: the next call (say, after fixing the file) tries again.
    catalog.catch(() => loaded.delete(modulePath));
  }
  return catalog;
}

async function importCatalog(modulePath: string): Promise<Catalog> {
  if (!existsSync(modulePath)) {
    throw new ConfigError(
      `catalog module ${modulePath} does not exist (from --catalog, ${CATALOG_ENV} or the default ${DEFAULT_CATALOG_MODULE})`,
    );
  }
  let mod: { catalog?: unknown };
  try {
    mod = (await import(pathToFileURL(modulePath).href)) as { catalog?: unknown };
  } catch (cause) {
    throw new ConfigError(`catalog module ${modulePath} failed to load: ${(cause as Error).message}`, {
      cause,
    });
  }
  const catalog = mod.catalog as Partial<Catalog> | undefined;
  if (!catalog || typeof catalog !== 'object' || !Array.isArray(catalog.handlers)) {
    throw new ConfigError(
      `catalog module ${modulePath} must export \`catalog\`, e.g. export const catalog = defineCatalog({ handlers: [...] })`,
    );
  }
  return catalog as Catalog;
}

/**
 * Adds `--catalog <module>` to the program, once for every command: commander reads a
 * program option before or after the command name.
 */
export function addCatalogOption(program: Command): Command {
  return program.option(
    '--catalog <module>',
    `module exporting the \`catalog\` of handlers the commands use (default: ${CATALOG_ENV}, else functions/catalog.ts)`,
  );
}

/** The `--catalog` a command was given (a program option), if any. */
export function catalogPathOf(command: Command): string | undefined {
  return (command.optsWithGlobals() as { catalog?: string }).catalog;
}

/** The catalog of a command's run: `--catalog`, else STREAMS_CATALOG, else the default. */
export function catalogOf(command: Command): Promise<Catalog> {
  return loadCatalog(catalogPathOf(command));
}
