import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../../errors/index.js';

/** Options for {@link createDocumentClient}. */
export interface DynamoConnection {
  /**
   * An endpoint such as `http://127.0.0.1:4567` (dynalite, DynamoDB Local) instead of AWS.
   * @default process.env.DYNAMODB_ENDPOINT, else the AWS endpoint of the region
   */
  readonly endpoint?: string | undefined;
  /** @default process.env.AWS_REGION, else 'us-east-1' */
  readonly region?: string | undefined;
}

/**
 * A DynamoDB document client with the settings the stores rely on: numbers come back
 * wrapped (`NumberValue`) so decimal sums are never rounded through a float, and undefined
 * attributes are dropped. Local endpoints get dummy credentials when none are configured,
 * so embedded runs need no AWS account.
 */
export function createDocumentClient(connection: DynamoConnection = {}): DynamoDBDocumentClient {
  const endpoint = connection.endpoint ?? process.env.DYNAMODB_ENDPOINT;
  const config: DynamoDBClientConfig = {
    region: connection.region ?? process.env.AWS_REGION ?? 'us-east-1',
    maxAttempts: 6,
  };
  if (endpoint) {
    config.endpoint = endpoint;
    if (!process.env.AWS_ACCESS_KEY_ID && /^https?:\/\/(127\.|localhost|\[::1\])/.test(endpoint)) {
      config.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    }
  }
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true },
    unmarshallOptions: { wrapNumbers: true },
  });
}

/** A number read with `wrapNumbers` (NumberValue, or a plain number) as a JS number. */
export function readNumber(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && 'value' in v) return Number((v as { value: string }).value);
  if (typeof v === 'string') return Number(v);
  return undefined;
}

/** A number read with `wrapNumbers` as its exact decimal string. */
export function readDecimal(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object' && 'value' in v) return (v as { value: string }).value;
  return String(v);
}

/**
 * Runs a conditional write: true when it applied, false when its condition failed (another
 * writer, or an earlier delivery, got there first: the caller reads again or moves on); any
 * other failure is a StoreError with `failure` as its message, so the batch is retried.
 * One place for the pattern every optimistic store shares.
 */
export async function conditionalWrite(write: () => Promise<unknown>, failure: string): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw new StoreError(failure, { cause: err });
  }
}
