import type { Context } from 'aws-lambda';

/** Where the local "function" pretends to live; only names and ARNs come from it. */
export interface LocalFunctionIdentity {
  readonly functionName: string;
  /** @default 'us-east-1' (or AWS_REGION) */
  readonly region?: string;
  /** @default '123456789012' */
  readonly accountId?: string;
  /** The function timeout the context reports. @default 900,000 (Lambda's maximum) */
  readonly timeoutMs?: number;
}

/** The ARN of a local function, as it would appear in on-failure records and contexts. */
export function localFunctionArn(identity: LocalFunctionIdentity): string {
  const region = identity.region ?? process.env.AWS_REGION ?? 'us-east-1';
  return `arn:aws:lambda:${region}:${identity.accountId ?? '123456789012'}:function:${identity.functionName}`;
}

/**
 * A Lambda `Context` for an in-process invocation, so middleware that reads it (Powertools'
 * `injectLambdaContext`, `getRemainingTimeInMillis` checks) behaves as in AWS. The callback
 * style (`done`, `succeed`, `fail`) is not supported: handlers must return a promise.
 */
export function createLambdaContext(
  identity: LocalFunctionIdentity,
  requestId: string,
  startedAtMs: number,
  nowMs: () => number = Date.now,
): Context {
  const timeoutMs = identity.timeoutMs ?? 900_000;
  const unsupported = () => {
    throw new Error('callback-style handlers are not supported by the local runner: return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: identity.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: localFunctionArn(identity),
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${identity.functionName}`,
    logStreamName: `local/${identity.functionName}`,
    getRemainingTimeInMillis: () => Math.max(0, startedAtMs + timeoutMs - nowMs()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
