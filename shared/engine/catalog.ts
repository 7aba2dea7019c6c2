import { registerCodecs } from './decode/registry.js';
import type { ValueCodec } from './decode/valueCodec.js';
import { ConfigError } from './errors/index.js';
import { finalTopicOf } from './final/finalResultsSpec.js';
import type { HandlerSpec, PipelineSpec } from './process/pipelineSpec.js';

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

/**
 * Declares a catalog and registers its codecs, so its specs decode wherever it is loaded.
 * Checks what no single handler can: every enrich step names a `table` pipeline of the
 * catalog, and pipeline names are unique across handlers (they share the tables).
 */
export function defineCatalog(catalog: Catalog): Catalog {
  if (catalog.codecs) registerCodecs(catalog.codecs);
  const pipelines = pipelinesOf(catalog);
  const tables = new Set(pipelines.filter((p) => p.kind === 'table').map((p) => p.name));
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const p of catalog.handlers.flatMap((h) => h.pipelines)) {
    // A join runs in one handler per side (a mapping reads one topic): its copies share a name.
    const sideCopy = p.kind === 'join' && pipelines.some((q) => q !== p && isSameJoin(p, q));
    if (seen.has(p.name) && !sideCopy)
      problems.push(`${p.name}: two pipelines of the catalog have this name`);
    seen.add(p.name);
    for (const step of p.enrich ?? []) {
      if (!tables.has(step.table)) {
        problems.push(
          `${p.name}: enrich reads table "${step.table}", which is no table pipeline of the catalog (tables: ${[...tables].join(', ') || 'none'})`,
        );
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(`catalog is invalid:\n  ${problems.join('\n  ')}`);
  return catalog;
}

/** A handler of a catalog by name; a ConfigError lists the names there are. */
export function handlerNamed(catalog: Pick<Catalog, 'handlers'>, name: string): HandlerSpec {
  const handler = catalog.handlers.find((h) => h.name === name);
  if (!handler) {
    throw new ConfigError(
      `unknown handler "${name}"; known: ${catalog.handlers.map((h) => h.name).join(', ')}`,
    );
  }
  return handler;
}

/**
 * The topics a handler's pipelines write (route outputs, final results), sorted (the CDK app
 * grants and creates them).
 */
export function outputTopicsOf(handler: HandlerSpec): string[] {
  const topics = new Set<string>();
  for (const p of handler.pipelines) {
    if (p.kind === 'route') for (const r of p.routes) topics.add(r.to);
    if (p.kind === 'windowed-aggregate' && p.final) topics.add(finalTopicOf(p));
  }
  return [...topics].sort();
}

/** Topics `table` pipelines read: they should be compacted (latest value per key is all a table needs). */
export function compactedTopicsOf(catalog: Pick<Catalog, 'handlers'>): string[] {
  return [
    ...new Set(
      pipelinesOf(catalog)
        .filter((p) => p.kind === 'table')
        .map((p) => p.topic),
    ),
  ].sort();
}

/**
 * Every pipeline of a catalog, in handler order, each once: the side copies of a join (one
 * per handler, see `joinSideCopy`) are one pipeline, listed as its first copy.
 */
export function pipelinesOf(catalog: Pick<Catalog, 'handlers'>): HandlerSpec['pipelines'][number][] {
  const out: HandlerSpec['pipelines'][number][] = [];
  for (const p of catalog.handlers.flatMap((h) => h.pipelines)) {
    if (p.kind === 'join' && out.some((q) => isSameJoin(p, q))) continue;
    out.push(p);
  }
  return out;
}

/** True when two pipelines are side copies of one join: the same name, the same two sides. */
function isSameJoin(a: PipelineSpec, b: PipelineSpec): boolean {
  return (
    a.kind === 'join' &&
    b.kind === 'join' &&
    a.name === b.name &&
    a.topic !== b.topic &&
    JSON.stringify([a.left, a.right, a.windowMs, a.graceMs]) ===
      JSON.stringify([b.left, b.right, b.windowMs, b.graceMs])
  );
}
