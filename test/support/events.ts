import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LambdaKafkaEvent } from '../../shared/engine/event/index.js';

/** A Lambda Kafka event kept under `events/` (e.g. `aws/msk.json`), parsed. */
export function loadEvent(name: string): LambdaKafkaEvent {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../../events/${name}`, import.meta.url)), 'utf8'));
}
