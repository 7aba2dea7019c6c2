/**
 * Where a codec finds the schema a producer wrote with, by the id in the record's frame:
 * a Confluent-compatible registry ({@link ConfluentRegistrySource}) or a directory of `.avsc`
 * files with fixed ids ({@link LocalSchemaDirectory}, so Avro works with no registry at all).
 */
export interface WriterSchemaSource {
  /** For messages and dead letters: the registry URL or the directory. */
  readonly description: string;
  /**
   * The schema text registered under `id`, or `undefined` when no schema has that id (the
   * record is then a dead letter, `UNKNOWN_SCHEMA_ID`).
   * @throws SchemaRegistryError when the source cannot answer (the batch fails and is retried)
   */
  schemaById(id: number): Promise<string | undefined>;
}

/** A source that can also register schemas (the producing tools use it). */
export interface SchemaRegistrar extends WriterSchemaSource {
  /**
   * The id of `schema` under `subject`: the existing one when the subject already has this
   * schema, else a new version (as Confluent's `POST /subjects/{subject}/versions` does).
   */
  register(subject: string, schema: string): Promise<number>;
}

/** Confluent's TopicNameStrategy: the subject of a topic's values (`rides-value`) or keys. */
export function topicSubject(topic: string, part: 'key' | 'value'): string {
  return `${topic}-${part}`;
}
