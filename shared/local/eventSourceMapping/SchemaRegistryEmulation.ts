import avro from 'avsc';
import { parseConfluentFrame } from '../../engine/decode/avro/confluentFrame.js';
import type { WriterSchemaSource } from '../../engine/decode/avro/WriterSchemaSource.js';
import type { KafkaRecord, LambdaKafkaEvent, LambdaSchemaMetadata } from '../../engine/event/index.js';

/** What Lambda hands the function after validating a record (`EventRecordFormat`). */
export type EventRecordFormat = 'JSON' | 'SOURCE';

/** The parts of a record Lambda validates (`SchemaValidationConfigs[].Attribute`). */
export type SchemaValidationAttribute = 'KEY' | 'VALUE';

/**
 * A mapping's `SchemaRegistryConfig` as the local runner emulates it, with a local writer-schema
 * source (the schema directory, or a Confluent-compatible registry through the client) in place
 * of `SchemaRegistryURI` and its access configs.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-consume-kafka-events.html
 */
export interface LocalSchemaRegistryConfig {
  readonly source: WriterSchemaSource;
  readonly eventRecordFormat: EventRecordFormat;
  /** @default ['VALUE'] */
  readonly validate?: readonly SchemaValidationAttribute[];
}

/** One record after validation: what the function gets, or why it gets nothing. */
export type ValidatedRecord =
  | {
      readonly ok: true;
      /** The record as delivered: decoded JSON or the Avro body, per the record format. */
      readonly record: KafkaRecord;
      readonly keySchemaMetadata?: LambdaSchemaMetadata;
      readonly valueSchemaMetadata?: LambdaSchemaMetadata;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * What a provisioned-mode mapping with a schema registry does to records before the function
 * sees them, for Confluent-framed Avro: it reads each validated part's schema id, fetches the
 * writer schema, decodes the part with it and delivers it as JSON text (`JSON`) or as the
 * Avro body with the frame removed (`SOURCE`), adding `keySchemaMetadata` /
 * `valueSchemaMetadata` (`{"dataFormat": "AVRO", "schemaId": "<id>"}`) to the event record.
 *
 * Written by hand because it is Lambda's behaviour, not a library's. What is emulated beyond
 * the documented shape (the docs do not say, and no mapping was deployed from here): a
 * record that fails validation (not framed, unknown id, bytes that do not decode) never
 * reaches the function and goes to the on-failure destination; a null part (a tombstone) is
 * delivered as null without validation; a registry that cannot answer fails the batch, which
 * is retried like a failed invocation. The JSON is avsc's plain object as JSON (unions as
 * bare values, `timestamp-millis` as epoch ms), not Avro's JSON encoding with union wrappers.
 */
export class SchemaRegistryEmulation {
  private readonly types = new Map<number, avro.Type | undefined>();
  private readonly validate: readonly SchemaValidationAttribute[];

  constructor(readonly config: LocalSchemaRegistryConfig) {
    this.validate = config.validate ?? ['VALUE'];
  }

  /** For logs: `JSON via schema directory data/schemas`. */
  get description(): string {
    return `${this.config.eventRecordFormat} via ${this.config.source.description}`;
  }

  /**
   * Fetches the writer schemas of a batch's ids (cached for the life of the mapping: ids are
   * immutable in a registry).
   * @throws SchemaRegistryError when the source cannot answer (the batch is retried)
   */
  async prepare(records: readonly KafkaRecord[]): Promise<void> {
    const ids = new Set<number>();
    for (const r of records) {
      for (const bytes of this.parts(r)) {
        if (bytes && bytes.length >= 5 && bytes[0] === 0 && !this.types.has(bytes.readUInt32BE(1))) {
          ids.add(bytes.readUInt32BE(1));
        }
      }
    }
    await Promise.all(
      [...ids].map(async (id) => {
        const text = await this.config.source.schemaById(id);
        let type: avro.Type | undefined;
        try {
          type = text === undefined ? undefined : avro.Type.forSchema(JSON.parse(text) as avro.Schema);
        } catch {
          type = undefined; // a schema avsc refuses: its records fail validation
        }
        this.types.set(id, type);
      }),
    );
  }

  /** Validates and converts one record; call {@link prepare} on its batch first. */
  deliver(record: KafkaRecord): ValidatedRecord {
    let key = record.key;
    let value = record.value;
    let keySchemaMetadata: LambdaSchemaMetadata | undefined;
    let valueSchemaMetadata: LambdaSchemaMetadata | undefined;
    for (const attribute of this.validate) {
      const bytes = attribute === 'KEY' ? record.key : record.value;
      if (bytes === null) continue;
      const converted = this.convert(bytes, attribute);
      if (!converted.ok) return converted;
      if (attribute === 'KEY') {
        key = converted.bytes;
        keySchemaMetadata = converted.metadata;
      } else {
        value = converted.bytes;
        valueSchemaMetadata = converted.metadata;
      }
    }
    return {
      ok: true,
      record: { ...record, key, value },
      ...(keySchemaMetadata ? { keySchemaMetadata } : {}),
      ...(valueSchemaMetadata ? { valueSchemaMetadata } : {}),
    };
  }

  private parts(record: KafkaRecord): Array<Buffer | null> {
    return this.validate.map((a) => (a === 'KEY' ? record.key : record.value));
  }

  private convert(
    bytes: Buffer,
    attribute: SchemaValidationAttribute,
  ): { ok: true; bytes: Buffer; metadata: LambdaSchemaMetadata } | { ok: false; reason: string } {
    const part = attribute.toLowerCase();
    let frame: ReturnType<typeof parseConfluentFrame>;
    try {
      frame = parseConfluentFrame(bytes);
    } catch (e) {
      return { ok: false, reason: `${part}: ${(e as Error).message}` };
    }
    const type = this.types.get(frame.schemaId);
    if (!type) {
      return {
        ok: false,
        reason: `${part}: no usable schema with id ${frame.schemaId} in ${this.config.source.description}`,
      };
    }
    let decoded: unknown;
    try {
      decoded = type.fromBuffer(frame.payload);
    } catch (e) {
      return {
        ok: false,
        reason: `${part}: not Avro of schema id ${frame.schemaId}: ${(e as Error).message}`,
      };
    }
    const metadata = { dataFormat: 'AVRO', schemaId: String(frame.schemaId) };
    if (this.config.eventRecordFormat === 'SOURCE') return { ok: true, bytes: frame.payload, metadata };
    const json = JSON.stringify(decoded, (_k, v: unknown) =>
      typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('base64') : v,
    );
    return { ok: true, bytes: Buffer.from(json, 'utf8'), metadata };
  }
}

/** Puts each delivered record's schema metadata on its record in a built event. */
export function addSchemaMetadata(
  event: LambdaKafkaEvent,
  delivered: ReadonlyMap<string, Extract<ValidatedRecord, { ok: true }>>,
): void {
  for (const records of Object.values(event.records)) {
    for (const r of records) {
      const d = delivered.get(`${r.topic}-${r.partition}@${r.offset}`);
      if (d?.keySchemaMetadata) r.keySchemaMetadata = d.keySchemaMetadata;
      if (d?.valueSchemaMetadata) r.valueSchemaMetadata = d.valueSchemaMetadata;
    }
  }
}
