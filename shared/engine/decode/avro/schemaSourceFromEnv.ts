import { ConfigError } from '../../errors/index.js';
import { ConfluentRegistrySource } from './ConfluentRegistrySource.js';
import { LocalSchemaDirectory } from './LocalSchemaDirectory.js';
import type { SchemaRegistrar } from './WriterSchemaSource.js';

/**
 * The local schema directory when no registry is configured: the one the local tools and
 * `npm start` write to, relative to the working directory (the repository root).
 */
export const DEFAULT_SCHEMA_DIR = 'data/schemas';

/**
 * The writer-schema source a handler or a local tool uses, from the environment:
 * - `SCHEMA_REGISTRY_URL`: a Confluent-compatible registry, with basic auth from
 *   `SCHEMA_REGISTRY_AUTH` (`key:secret`) when set;
 * - else `SCHEMA_DIR`, @default `data/schemas` (the local directory: no registry needed).
 */
export function schemaSourceFromEnv(env: NodeJS.ProcessEnv = process.env): SchemaRegistrar {
  const url = env.SCHEMA_REGISTRY_URL?.trim();
  if (url) {
    if (!/^https?:\/\//.test(url)) {
      throw new ConfigError(`SCHEMA_REGISTRY_URL must be an http(s) URL, got "${url}"`);
    }
    const auth = env.SCHEMA_REGISTRY_AUTH;
    let credentials: { username: string; password: string } | undefined;
    if (auth) {
      const colon = auth.indexOf(':');
      if (colon <= 0) throw new ConfigError('SCHEMA_REGISTRY_AUTH must be "key:secret"');
      credentials = { username: auth.slice(0, colon), password: auth.slice(colon + 1) };
    }
    return new ConfluentRegistrySource({ url, auth: credentials });
  }
  return new LocalSchemaDirectory(env.SCHEMA_DIR?.trim() || DEFAULT_SCHEMA_DIR);
}
