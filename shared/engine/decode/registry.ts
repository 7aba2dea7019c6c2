import * as z from 'zod/mini';
import '../zodLocale.js';
import { ConfigError } from '../errors/index.js';
import { jsonCodec } from './jsonCodec.js';
import type { ValueCodec } from './valueCodec.js';

/**
 * Codecs by the name a pipeline spec gives. The engine knows `json` (any JSON object, fields
 * checked by the pipeline's key, time and aggregation specs); a domain registers its own
 * schema-checked codecs when its pipelines module loads (the rides example: `ride-json`,
 * `yellow-csv`, `green-csv`), so specs stay plain data that a handler, the CLI and the CDK
 * app can all read.
 */
const registry = new Map<string, ValueCodec<unknown>>([['json', jsonCodec(z.looseObject({}))]]);

/** The codec a pipeline spec names; a ConfigError lists the known names. */
export function codecByName(name: string): ValueCodec<unknown> {
  const codec = registry.get(name);
  if (!codec)
    throw new ConfigError(`unknown codec "${name}"; known codecs: ${[...registry.keys()].join(', ')}`);
  return codec;
}

/** Adds a codec (e.g. for your own topic's schema) so pipeline specs can name it. */
export function registerCodec(name: string, codec: ValueCodec<unknown>): void {
  registry.set(name, codec);
}

/** Adds several codecs at once, keyed by name (a domain's codecs module). */
export function registerCodecs(codecs: Readonly<Record<string, ValueCodec<unknown>>>): void {
  for (const [name, codec] of Object.entries(codecs)) registry.set(name, codec);
}
