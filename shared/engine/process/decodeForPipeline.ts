import { type DecodedRecord, decodeGroups } from '../decode/decodedRecord.js';
import { codecByName } from '../decode/index.js';
import { InvalidRecordError } from '../errors/index.js';
import type { KafkaRecord } from '../event/kafkaRecord.js';

/**
 * Decodes records with a pipeline's codec, refusing records of another topic: a mapping reads
 * one topic, so a record of another means the spec and the mapping disagree. It becomes a
 * dead letter (WRONG_TOPIC) rather than being dropped unseen. Shared by the batch path and
 * gap recovery, which must decide a record exactly alike.
 */
export function decodeForPipeline(
  pipeline: { readonly name: string; readonly topic: string; readonly codec: string },
  groups: ReadonlyArray<ReadonlyArray<KafkaRecord>>,
): DecodedRecord[][] {
  const codec = codecByName(pipeline.codec);
  return decodeGroups(groups, (r: KafkaRecord) => {
    if (r.topic !== pipeline.topic) {
      throw new InvalidRecordError(
        `record of topic ${r.topic}, but pipeline ${pipeline.name} reads ${pipeline.topic}`,
        {
          coordinates: r,
          field: 'topic',
          code: 'WRONG_TOPIC',
        },
      );
    }
    return codec.decode(r);
  });
}
