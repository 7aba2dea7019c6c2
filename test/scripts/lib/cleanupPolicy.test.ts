import { describe, expect, it } from 'vitest';
import { resolveCleanupPolicy } from '../../../scripts/lib/cleanupPolicy.js';
import { ConfigError } from '../../../shared/engine/errors/index.js';

describe('resolveCleanupPolicy (topics create --compact, --cleanup-policy, --config cleanup.policy=)', () => {
  it.each([
    { flags: {}, policy: undefined },
    { flags: { compact: true }, policy: 'compact' },
    { flags: { cleanupPolicy: 'compact,delete' as const }, policy: 'compact,delete' },
    { flags: { compact: true, cleanupPolicy: 'compact' as const }, policy: 'compact' },
    { flags: { compact: true, configValue: 'compact' }, policy: 'compact' },
    {
      flags: { cleanupPolicy: 'compact,delete' as const, configValue: 'delete, compact' },
      policy: 'compact,delete',
    },
    // --config alone stays --config's business: the broker validates its value, as before.
    { flags: { configValue: 'delete' }, policy: undefined },
  ])('$flags gives cleanup.policy $policy', ({ flags, policy }) => {
    expect(resolveCleanupPolicy(flags)).toBe(policy);
  });

  it.each([
    { flags: { compact: true, cleanupPolicy: 'delete' as const }, named: '--cleanup-policy delete' },
    {
      flags: { compact: true, cleanupPolicy: 'compact,delete' as const },
      named: '--cleanup-policy compact,delete',
    },
    { flags: { compact: true, configValue: 'delete' }, named: '--config cleanup.policy=delete' },
    {
      flags: { cleanupPolicy: 'compact' as const, configValue: 'delete' },
      named: '--config cleanup.policy=delete',
    },
  ])('rejects $flags as a contradiction naming both flags', ({ flags, named }) => {
    const error = (() => {
      try {
        resolveCleanupPolicy(flags);
        return undefined;
      } catch (e) {
        return e as Error;
      }
    })();

    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toContain(named);
    expect(error?.message).toContain('contradict');
  });
});
