/**
 * Local-only helpers: never imported by a Lambda handler, so the embedded DynamoDB (dynalite
 * and LevelDB's native add-on) stays out of every function bundle.
 */
export { type EmbeddedDynamo, ensureTables, startEmbeddedDynamo } from './embeddedDynamo.js';
