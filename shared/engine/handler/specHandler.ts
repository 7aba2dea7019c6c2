import { kafkaHandler } from './kafkaHandler.js';
import { specFromEnv } from './specFromEnv.js';

/**
 * The generic Lambda entry point: runs the handler spec in `PIPELINE_SPEC` (JSON), validated
 * at cold start. `KafkaPipelineHandler` deploys it when no entry of your own is given; it
 * knows the built-in codecs only (write your own entry to register others).
 */
export const handler = kafkaHandler(specFromEnv());
