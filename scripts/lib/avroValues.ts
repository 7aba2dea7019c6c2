import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { confluentFrame } from '../../shared/engine/decode/avro/confluentFrame.js';
import { type SchemaRegistrar, topicSubject } from '../../shared/engine/decode/avro/WriterSchemaSource.js';
import { ConfigError, InvalidRecordError } from '../../shared/engine/errors/index.js';
import type { ProducerRecord } from '../../shared/local/eventSourceMapping/batchRecords.js';
import { parseDatetimeMs } from '../../shared/rides/schemas/datetime.js';

/** Schema JSON as read from an `.avsc` file. */
type SchemaJson = string | SchemaJson[] | { type: SchemaJson; logicalType?: string; fields?: FieldJson[] };
interface FieldJson {
  name: string;
  type: SchemaJson;
}

/**
 * Turns a row read from a CSV or JSON-lines file (CSV cells are text) into a value of the
 * Avro schema: numeric text to numbers, datetime text to epoch ms for `timestamp-millis`,
 * blank cells to null where the field is nullable. Written by hand because Avro libraries
 * encode typed values and leave this to the caller; it handles the shapes file rows have
 * (records of primitives, `["null", T]` unions), not nested or multi-branch unions.
 */
export function toAvroValue(schema: SchemaJson, value: unknown): unknown {
  if (Array.isArray(schema)) {
    const nonNull = schema.filter((s) => s !== 'null');
    if ((value === null || value === undefined || value === '') && nonNull.length < schema.length)
      return null;
    return nonNull.length === 1 ? toAvroValue(nonNull[0] as SchemaJson, value) : value;
  }
  if (typeof schema === 'object') {
    if (schema.type === 'record' && schema.fields) {
      if (value === null || typeof value !== 'object') return value;
      const row = value as Record<string, unknown>;
      return Object.fromEntries(schema.fields.map((f) => [f.name, toAvroValue(f.type, row[f.name])]));
    }
    if (schema.logicalType === 'timestamp-millis' && typeof value === 'string') {
      return parseDatetimeMs(value) ?? value;
    }
    return toAvroValue(schema.type, value);
  }
  if (typeof value !== 'string') return value;
  switch (schema) {
    case 'int':
    case 'long':
    case 'float':
    case 'double':
      return value.trim() === '' ? value : Number(value);
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    default:
      return value;
  }
}

/** Writes rows as Confluent-framed Avro under one schema id. */
export interface AvroSerializer {
  readonly schemaId: number;
  readonly subject: string;
  /** Whether the schema is a record (whose fields come from a row) rather than a primitive. */
  readonly isRecord: boolean;
  /** @throws InvalidRecordError naming the first field that does not fit the schema */
  serialize(row: unknown): Buffer;
}

/**
 * The serializer `produce`, `datagen` and `events` use: the schema from `schemaFile` (@default
 * the subject's newest in the local directory), registered under `subject` (TopicNameStrategy:
 * `<topic>-value`), or the existing `schemaId` when given.
 */
export async function avroSerializer(options: {
  readonly registrar: SchemaRegistrar;
  readonly subject: string;
  readonly schemaFile?: string | undefined;
  readonly schemaId?: number | undefined;
  /** Used when no file nor id is given and the registrar has no schema for the subject. */
  readonly fallbackSchema?: string | undefined;
}): Promise<AvroSerializer> {
  const { registrar, subject } = options;
  let text: string;
  let schemaId: number;
  if (options.schemaId !== undefined) {
    const found = await registrar.schemaById(options.schemaId);
    if (found === undefined) {
      throw new ConfigError(`schema id ${options.schemaId} is not in ${registrar.description}`);
    }
    text = found;
    schemaId = options.schemaId;
  } else {
    const fromFile = options.schemaFile ? readSchemaFile(options.schemaFile) : undefined;
    const latest = fromFile ? undefined : await latestOf(registrar, subject);
    const chosen = fromFile ?? latest ?? options.fallbackSchema;
    if (chosen === undefined) {
      throw new ConfigError(
        `no Avro schema for ${subject}: pass --value-schema FILE (an .avsc) or --schema-id N, or add ${subject}.<id>.avsc to ${registrar.description}`,
      );
    }
    text = chosen;
    schemaId = await registrar.register(subject, text);
  }
  const schema = JSON.parse(text) as SchemaJson;
  const type = avro.Type.forSchema(schema as avro.Schema);
  return {
    schemaId,
    subject,
    isRecord: type.typeName === 'record',
    serialize(row: unknown): Buffer {
      const value = toAvroValue(schema, row);
      const paths: string[] = [];
      if (!type.isValid(value, { errorHook: (path) => paths.push(path.join('.')) })) {
        throw new InvalidRecordError(`does not fit the Avro schema of ${subject}: ${paths.join(', ')}`, {
          field: paths[0] ?? 'value',
          code: 'AVRO_ENCODE',
        });
      }
      return confluentFrame(schemaId, type.toBuffer(value));
    },
  };
}

async function latestOf(registrar: SchemaRegistrar, subject: string): Promise<string | undefined> {
  const local = registrar as { latest?: (s: string) => { schema: string } | undefined };
  return typeof local.latest === 'function' ? local.latest(subject)?.schema : undefined;
}

/**
 * An .avsc file's text, checked before anything is registered: a missing file, broken JSON
 * or a schema avsc refuses is a ConfigError naming the file (not a bare JSON.parse message).
 */
function readSchemaFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read the Avro schema file ${file}: ${(cause as Error).message}`, { cause });
  }
  try {
    avro.Type.forSchema(JSON.parse(text) as avro.Schema);
  } catch (cause) {
    throw new ConfigError(`${file} is not an Avro schema: ${(cause as Error).message}`, { cause });
  }
  return text;
}

/** The Avro side of a producing command: the registry (or local directory) and the schemas to write with. */
export interface AvroProduceOptions {
  readonly registrar: SchemaRegistrar;
  /** .avsc of the values. @default the newest schema of `<topic>-value` */
  readonly valueSchema?: string | undefined;
  /** An existing id to write values with (no registration). */
  readonly schemaId?: number | undefined;
  readonly keySchema?: string | undefined;
  readonly keySchemaId?: number | undefined;
}

/** Serializers for the Avro parts of a producing run (either may be absent: that part is text). */
export interface AvroParts {
  readonly value?: AvroSerializer;
  readonly key?: AvroSerializer;
}

/**
 * The serializers `produce`, `datagen` and `events` write with, registered (or looked up)
 * before the first record so a wrong schema fails before anything is sent. Subjects follow
 * Confluent's TopicNameStrategy (`<topic>-value`, `<topic>-key`).
 */
export async function avroPartsFor(options: {
  readonly topic: string;
  readonly value: boolean;
  readonly key: boolean;
  readonly avro: AvroProduceOptions | undefined;
  /** The value schema when none is given nor registered (datagen's rides: the ride schema). */
  readonly fallbackValueSchema?: string | undefined;
}): Promise<AvroParts> {
  if (!options.value && !options.key) return {};
  const avro = options.avro;
  if (!avro) throw new ConfigError('Avro needs a schema registry or the local schema directory');
  return {
    ...(options.value
      ? {
          value: await avroSerializer({
            registrar: avro.registrar,
            subject: topicSubject(options.topic, 'value'),
            schemaFile: avro.valueSchema,
            schemaId: avro.schemaId,
            fallbackSchema: options.fallbackValueSchema,
          }),
        }
      : {}),
    ...(options.key
      ? {
          key: await avroSerializer({
            registrar: avro.registrar,
            subject: topicSubject(options.topic, 'key'),
            schemaFile: avro.keySchema,
            schemaId: avro.keySchemaId,
          }),
        }
      : {}),
  };
}

/**
 * The Avro key of a record: a record key schema takes its fields from the row, a primitive
 * one the key text (`"75"` becomes the int 75 for an `int` schema).
 */
export function avroKeyOf(
  fields: Readonly<Record<string, unknown>>,
  key: string | null,
  serializer: AvroSerializer,
): Buffer | null {
  if (key === null) return null;
  return serializer.serialize(serializer.isRecord ? fields : key);
}

/**
 * A file record with its value (and key) as Confluent-framed Avro. The reader gives values as
 * JSON text; a value that is not a JSON object or does not fit the schema stays as it is, as
 * `produce --allow-malformed` sends it, so the handler dead-letters it (`NOT_CONFLUENT_FRAMED`).
 * `events` and `replay` write file records this way.
 */
export function asAvroRecord(record: ProducerRecord, avro: AvroParts): ProducerRecord {
  const fields = fieldsOf(record.value);
  const attempt = <T>(write: () => T, otherwise: T): T => {
    try {
      return write();
    } catch {
      return otherwise;
    }
  };
  const value =
    avro.value && fields
      ? attempt<ProducerRecord['value']>(() => avro.value!.serialize(fields), record.value)
      : record.value;
  const key =
    avro.key && record.key !== null
      ? attempt<ProducerRecord['key']>(
          () => avroKeyOf(fields ?? {}, String(record.key), avro.key!),
          record.key,
        )
      : record.key;
  return { ...record, key, value };
}

/** The fields of a JSON-object value, else undefined (tombstones, broken lines, bytes). */
function fieldsOf(value: ProducerRecord['value']): Record<string, unknown> | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
