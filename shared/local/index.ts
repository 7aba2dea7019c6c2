/**
 * Local-only helpers: never imported by a Lambda handler, so the embedded DynamoDB (dynalite
 * and LevelDB's native add-on) stays out of every function bundle.
 */

export {
  attributeValueBytes,
  countOperators,
  DYNAMO_LIMITS,
  enforceDynamoLimits,
  itemBytes,
  type KeyNames,
  limitViolations,
} from './dynamo/dynamoLimits.js';
export { type EmbeddedDynamo, ensureTables, startEmbeddedDynamo } from './dynamo/embeddedDynamo.js';
