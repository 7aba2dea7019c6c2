import avro from 'avsc';
import { parseConfluentFrame } from '../../shared/engine/decode/avro/confluentFrame.js';
import type { WriterSchemaSource } from '../../shared/engine/decode/avro/WriterSchemaSource.js';

/**
 * Shows Confluent-framed Avro as JSON text for `consume --value-format avro`: each value read
 * with its own writer schema (no reader schema: a viewer shows what was written). Ids are
 * fetched per batch before rendering (`prepare`), like the codec does; a value that is not
 * framed Avro is shown as `<not Avro: reason> base64:...` rather than stopping the consumer.
 */
export class AvroJsonRenderer {
  private readonly types = new Map<number, avro.Type | undefined>();

  constructor(private readonly source: WriterSchemaSource) {}

  /** Fetches the writer schemas of the ids among `values`; an outage rejects (the command fails). */
  async prepare(values: ReadonlyArray<Buffer | null>): Promise<void> {
    const ids = new Set<number>();
    for (const v of values) {
      if (v && v.length >= 5 && v[0] === 0) {
        const id = v.readUInt32BE(1);
        if (!this.types.has(id)) ids.add(id);
      }
    }
    await Promise.all(
      [...ids].map(async (id) => {
        const text = await this.source.schemaById(id);
        this.types.set(
          id,
          text === undefined ? undefined : avro.Type.forSchema(JSON.parse(text) as avro.Schema),
        );
      }),
    );
  }

  /** The value as JSON text, or why it is not Avro. */
  render(value: Buffer): string {
    try {
      const frame = parseConfluentFrame(value);
      const type = this.types.get(frame.schemaId);
      if (!type) return notAvro(`unknown schema id ${frame.schemaId}`, value);
      return JSON.stringify(type.fromBuffer(frame.payload), (_k, v: unknown) =>
        typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('base64') : v,
      );
    } catch (e) {
      return notAvro((e as Error).message, value);
    }
  }
}

function notAvro(reason: string, value: Buffer): string {
  return `<not Avro: ${reason}> base64:${value.toString('base64')}`;
}
