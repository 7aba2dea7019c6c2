import { Partitioners } from 'kafkajs';

/**
 * Kafka's default partitioner for keyed records (murmur2 of the key bytes, positive, modulo
 * the partition count), taken from kafkajs rather than re-implemented so the local replay
 * puts each key on the same partition as a real Java or kafkajs producer would.
 */
export function partitionForKey(key: Buffer | string, partitionCount: number): number {
  const partitionMetadata = Array.from({ length: partitionCount }, (_, i) => ({
    partitionId: i,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
  return partitioner({ topic: '', partitionMetadata, message: { key, value: null } });
}

const partitioner = Partitioners.DefaultPartitioner();
