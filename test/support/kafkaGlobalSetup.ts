import type { TestProject } from 'vitest/node';
import { ensureKafka } from './kafkaBroker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Comma-separated bootstrap addresses of the broker shared by the integration tests. */
    kafkaBrokers: string;
  }
}

/**
 * Vitest globalSetup for the integration tests: ONE Kafka broker for the whole run.
 *
 * Why: starting a JVM broker costs a few seconds and ~300 MB, so test files share one (they isolate
 * themselves with unique topic and group names). Uses `KAFKA_BROKERS` when set, otherwise starts a local
 * broker with scripts/kafka/broker.sh (see test/support/kafkaBroker.ts); fails the run with an explanatory
 * error when neither is possible. Tests read the address with `inject('kafkaBrokers')`.
 *
 * It also exports `KAFKA_BROKERS` to the test workers (when it was not set), so test files that call
 * `ensureKafka()` reuse this broker instead of starting their own; `ensureKafka({ dedicated: true })` still
 * starts a private broker for tests that stop or restart it.
 */
export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const kafka = await ensureKafka();
  const brokers = kafka.brokers.join(',');
  provide('kafkaBrokers', brokers);
  const hadEnv = process.env.KAFKA_BROKERS !== undefined;
  if (!hadEnv) process.env.KAFKA_BROKERS = brokers;
  return async () => {
    if (!hadEnv) delete process.env.KAFKA_BROKERS;
    await kafka.stop();
  };
}
