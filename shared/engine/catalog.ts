import { registerCodecs } from './decode/registry.js';
import type { ValueCodec } from './decode/valueCodec.js';
import type { HandlerSpec } from './process/pipelineSpec.js';

/**
 * Everything an app deploys and its tools run: its handlers (each a set of pipelines over
 * one topic) and the codecs their specs name. One module exports one catalog (this repo's
 * is `functions/catalog.ts`); the CLI, the local runner, the test driver and the CDK app all
 * read it, so a new pipeline is declared once.
 */
export interface Catalog {
  readonly handlers: readonly HandlerSpec[];
  /** Codecs by the name specs give them (`json` is built in). */
  readonly codecs?: Readonly<Record<string, ValueCodec<unknown>>>;
}

/** Declares a catalog and registers its codecs, so its specs decode wherever it is loaded. */
export function defineCatalog(catalog: Catalog): Catalog {
  if (catalog.codecs) registerCodecs(catalog.codecs);
  return catalog;
}

/** Every pipeline of a catalog, in handler order. */
export function pipelinesOf(catalog: Catalog): HandlerSpec['pipelines'][number][] {
  return catalog.handlers.flatMap((h) => h.pipelines);
}
