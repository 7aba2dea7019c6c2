/**
 * Where a Glue-framed record's writer schema comes from, by the schema version id (a UUID) in
 * its frame: Glue's `GetSchemaVersion` in AWS, or {@link LocalGlueSchemaDirectory} locally.
 */
export interface GlueSchemaVersionSource {
  /** For messages and dead letters. */
  readonly description: string;
  /**
   * The schema definition of a version id, or `undefined` when there is none (a dead letter,
   * `UNKNOWN_SCHEMA_ID`).
   * @throws SchemaRegistryError when the source cannot answer (the batch is retried)
   */
  schemaByVersionId(schemaVersionId: string): Promise<string | undefined>;
}
