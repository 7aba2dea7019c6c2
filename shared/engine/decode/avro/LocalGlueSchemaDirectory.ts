import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GlueSchemaVersionSource } from './GlueSchemaVersionSource.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Glue schema versions as files named `<schema version id>.avsc` (the UUID Glue gave the
 * version): Glue-framed Avro read with no AWS account, as {@link LocalSchemaDirectory} does for
 * Confluent ids. An id that is not a UUID is never looked up (no path tricks through the frame).
 */
export class LocalGlueSchemaDirectory implements GlueSchemaVersionSource {
  readonly description: string;
  constructor(readonly dir: string) {
    this.description = `Glue schema directory ${dir}`;
  }

  async schemaByVersionId(schemaVersionId: string): Promise<string | undefined> {
    const id = schemaVersionId.toLowerCase();
    if (!UUID.test(id)) return undefined;
    const file = join(this.dir, `${id}.avsc`);
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  }
}
