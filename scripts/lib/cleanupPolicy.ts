import { ConfigError } from '../../shared/engine/errors/index.js';

/** The values Kafka accepts for a topic's `cleanup.policy`. */
export const CLEANUP_POLICIES = ['delete', 'compact', 'compact,delete'] as const;
/** A topic's `cleanup.policy`. */
export type CleanupPolicy = (typeof CLEANUP_POLICIES)[number];

/** The three ways `topics create` can say how a topic is cleaned up. */
export interface CleanupPolicyFlags {
  /** `--compact`: a table topic (latest value per key, tombstones delete), as `zones` is. */
  readonly compact?: boolean;
  /** `--cleanup-policy`. */
  readonly cleanupPolicy?: CleanupPolicy;
  /** `--config cleanup.policy=...`, the generic way. */
  readonly configValue?: string;
}

/**
 * The `cleanup.policy` to set from `--compact` and `--cleanup-policy`, or undefined to leave
 * it to `--config` or the broker's default (delete).
 *
 * Any two of `--compact`, `--cleanup-policy` and `--config cleanup.policy=...` that are given
 * must name the same policy (the order within a list does not matter, as for Kafka):
 * `--compact` means exactly `compact`, so `--compact --cleanup-policy compact,delete` is an
 * error rather than a silent pick, because the two topics behave differently (compact,delete
 * also drops old keys by retention, which a table topic such as `zones` must not).
 */
export function resolveCleanupPolicy(flags: CleanupPolicyFlags): CleanupPolicy | undefined {
  const given: Array<{ flag: string; policy: string }> = [];
  if (flags.compact) given.push({ flag: '--compact', policy: 'compact' });
  if (flags.cleanupPolicy !== undefined) {
    given.push({ flag: `--cleanup-policy ${flags.cleanupPolicy}`, policy: flags.cleanupPolicy });
  }
  if (flags.configValue !== undefined) {
    given.push({ flag: `--config cleanup.policy=${flags.configValue}`, policy: flags.configValue });
  }
  const [first, ...rest] = given;
  const other = rest.find((g) => normalized(g.policy) !== normalized(first?.policy ?? ''));
  if (first && other) {
    throw new ConfigError(
      `${first.flag} and ${other.flag} contradict each other: give one cleanup policy ` +
        '(--compact is short for --cleanup-policy compact)',
    );
  }
  if (flags.compact) return 'compact';
  return flags.cleanupPolicy;
}

/** A policy list as a set: `delete,compact` and `compact, delete` are the same policy. */
function normalized(policy: string): string {
  return policy
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .sort()
    .join(',');
}
