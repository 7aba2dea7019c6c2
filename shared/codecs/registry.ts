import { ConfigError } from '../errors/index.js';
import { rideCodecs } from './rideCodecs.js';
import type { ValueCodec } from './valueCodec.js';

const registry = new Map<string, ValueCodec<unknown>>(Object.entries(rideCodecs));

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
