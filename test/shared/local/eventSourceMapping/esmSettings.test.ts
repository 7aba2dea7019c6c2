import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../shared/engine/errors/index.js';
import {
  effectiveMaxRetries,
  resolveEsmSettings,
} from '../../../../shared/local/eventSourceMapping/esmSettings.js';

describe('resolveEsmSettings', () => {
  it('fills in the AWS defaults and a group named after the function', () => {
    expect(resolveEsmSettings({ functionName: 'f', topic: 'rides' })).toEqual({
      functionName: 'f',
      topic: 'rides',
      batchSize: 100,
      maximumBatchingWindowMs: 500,
      startingPosition: 'TRIM_HORIZON',
      consumerGroupId: 'lambda-esm-f',
      source: 'msk',
      maximumRetryAttempts: -1,
      maximumRecordAgeInSeconds: -1,
      bisectBatchOnFunctionError: false,
      reportBatchItemFailures: false,
    });
  });

  it.each([
    ['batchSize', { batchSize: 0 }],
    ['batchSize', { batchSize: 10_001 }],
    ['maximumBatchingWindowMs', { maximumBatchingWindowMs: 300_001 }],
    ['maximumRetryAttempts', { maximumRetryAttempts: -2 }],
    ['maximumRetryAttempts', { maximumRetryAttempts: 10_001 }],
    ['maximumRecordAgeInSeconds', { maximumRecordAgeInSeconds: 59 }],
    ['maximumRecordAgeInSeconds', { maximumRecordAgeInSeconds: 604_801 }],
  ])('rejects an out-of-range %s with a message naming it', (field, over) => {
    expect(() => resolveEsmSettings({ functionName: 'f', topic: 't', ...over })).toThrow(
      expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining(field) }),
    );
  });

  it.each([
    [{ batchSize: 10_000 }],
    [{ maximumBatchingWindowMs: 0 }],
    [{ maximumBatchingWindowMs: 300_000 }],
    [{ maximumRecordAgeInSeconds: 60 }],
    [{ maximumRetryAttempts: 0 }],
  ])('accepts the boundary %o', (over) => {
    expect(() => resolveEsmSettings({ functionName: 'f', topic: 't', ...over })).not.toThrow();
  });

  it('refuses an event source ARN for self-managed Kafka', () => {
    expect(() =>
      resolveEsmSettings({
        functionName: 'f',
        topic: 't',
        source: 'self-managed',
        eventSourceArn: 'arn:aws:kafka:x',
      }),
    ).toThrow(ConfigError);
  });
});

describe('effectiveMaxRetries', () => {
  it.each([
    [-1, true, 10],
    [-1, false, -1],
    [3, true, 3],
    [0, false, 0],
  ])('retries %i with a destination %s allow %i', (maximumRetryAttempts, hasDestination, expected) => {
    expect(effectiveMaxRetries({ maximumRetryAttempts }, hasDestination)).toBe(expected);
  });
});
