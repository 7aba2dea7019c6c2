import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../errors/index.js';
import type { SchemaRegistrar } from './WriterSchemaSource.js';

/** `<subject>.<id>.avsc`: a subject may hold dots (topic names do), the id may not. */
const FILE_NAME = /^(.+)\.(\d+)\.avsc$/;

/** One schema file of a {@link LocalSchemaDirectory}. */
export interface LocalSchemaEntry {
  readonly subject: string;
  readonly id: number;
  readonly file: string;
}

/**
 * A directory of `.avsc` files named `<subject>.<id>.avsc` (`rides-value.1.avsc`): a schema
 * registry with fixed ids that needs no server, so the local tools, `npm start` and the tests
 * read and write Avro with no registry running. Ids are unique across the directory, as a
 * Confluent registry's are; registering a schema a subject does not have yet writes the next
 * id's file, so a producer and a consumer on this machine agree without coordination.
 */
export class LocalSchemaDirectory implements SchemaRegistrar {
  readonly description: string;
  constructor(readonly dir: string) {
    this.description = `schema directory ${dir}`;
  }

  /** Every schema file, by id. A file name that does not fit is skipped (READMEs, drafts). */
  entries(): LocalSchemaEntry[] {
    if (!existsSync(this.dir)) return [];
    const out: LocalSchemaEntry[] = [];
    const seen = new Map<number, string>();
    for (const name of readdirSync(this.dir).sort()) {
      const m = FILE_NAME.exec(name);
      if (!m) continue;
      const id = Number(m[2]);
      const other = seen.get(id);
      if (other !== undefined) {
        throw new ConfigError(`schema id ${id} is used twice in ${this.dir}: ${other} and ${name}`);
      }
      seen.set(id, name);
      out.push({ subject: m[1] as string, id, file: join(this.dir, name) });
    }
    return out.sort((a, b) => a.id - b.id);
  }

  async schemaById(id: number): Promise<string | undefined> {
    const entry = this.entries().find((e) => e.id === id);
    return entry ? readFileSync(entry.file, 'utf8') : undefined;
  }

  /** The newest (highest id) schema of a subject, as `GET /subjects/{s}/versions/latest`. */
  latest(subject: string): { id: number; schema: string } | undefined {
    const entry = this.entries()
      .filter((e) => e.subject === subject)
      .at(-1);
    return entry ? { id: entry.id, schema: readFileSync(entry.file, 'utf8') } : undefined;
  }

  async register(subject: string, schema: string): Promise<number> {
    const wanted = normalized(schema);
    const entries = this.entries();
    const same = entries.find(
      (e) => e.subject === subject && normalized(readFileSync(e.file, 'utf8')) === wanted,
    );
    if (same) return same.id;
    const id = (entries.at(-1)?.id ?? 0) + 1;
    writeFileSync(
      join(this.dir, `${subject}.${id}.avsc`),
      `${JSON.stringify(JSON.parse(schema), null, 2)}\n`,
    );
    return id;
  }
}

/** Whitespace and key order aside, the same schema text (docs and defaults count). */
function normalized(schema: string): string {
  return JSON.stringify(sortKeys(JSON.parse(schema)));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(obj)
      .sort()
      .map((k) => [k, sortKeys(obj[k])]),
  );
}
