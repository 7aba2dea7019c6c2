export { type AvroCodecOptions, avroCodec } from './avroCodec.js';
export { avroSourceCodec } from './avroSourceCodec.js';
export { type ConfluentRegistryOptions, ConfluentRegistrySource } from './ConfluentRegistrySource.js';
export {
  CONFLUENT_HEADER_BYTES,
  CONFLUENT_MAGIC_BYTE,
  type ConfluentFrame,
  confluentFrame,
  parseConfluentFrame,
} from './confluentFrame.js';
export type { GlueSchemaVersionSource } from './GlueSchemaVersionSource.js';
export { glueAvroCodec } from './glueAvroCodec.js';
export {
  GLUE_COMPRESSION_NONE,
  GLUE_COMPRESSION_ZLIB,
  GLUE_HEADER_BYTES,
  GLUE_HEADER_VERSION_BYTE,
  type GlueFrame,
  glueFrame,
  parseGlueFrame,
} from './glueFrame.js';
export { LocalGlueSchemaDirectory } from './LocalGlueSchemaDirectory.js';
export { LocalSchemaDirectory, type LocalSchemaEntry } from './LocalSchemaDirectory.js';
export {
  type AvroDelivery,
  avroDeliveryFromEnv,
  type LambdaDeliveredAvroCodec,
  lambdaDeliveredAvroCodec,
  readsSchemaRegistryRecords,
  SCHEMA_REGISTRY_RECORD_FORMAT_ENV,
} from './lambdaDeliveredAvroCodec.js';
export { SchemaRegistryError } from './SchemaRegistryError.js';
export { DEFAULT_SCHEMA_DIR, schemaSourceFromEnv } from './schemaSourceFromEnv.js';
export { type SchemaRegistrar, topicSubject, type WriterSchemaSource } from './WriterSchemaSource.js';
