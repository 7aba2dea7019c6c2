import { defineConfig } from 'vitest/config';

/**
 * Four projects: `unit` needs nothing but Node (DynamoDB is in-process dynalite);
 * `integration` gets one real Kafka broker for the run from the globalSetup (or reuses
 * KAFKA_BROKERS); `package` packs the library and uses it from a scratch project; `browser`
 * opens the results page (`serve`) in Debian's Chromium (/usr/bin/chromium, see .ci/run).
 * `npm test` runs all four; `npm run test:unit` only the first.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Vitest's default in `run` mode is one worker per CPU minus one: a single worker on the
    // 2-core CI machines, so the files ran one after another while the integration files
    // mostly wait on the broker's clocks (batching windows, retries, timeouts). Three workers
    // overlap those waits with the CPU-bound property tests; VITEST_MAX_WORKERS overrides.
    // @default 3: measured side by side on a 2-core machine (see .ci/run's timings)
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS ?? 3),
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    coverage: {
      provider: 'v8',
      include: ['shared/**', 'functions/**', 'infra/**', 'scripts/**'],
      reporter: ['text-summary'],
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**', 'test/package/**', 'test/browser/**', 'node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/kafkaGlobalSetup.ts'],
          testTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: {
          // Packs the repository and installs it in a scratch project: minutes, once per run.
          name: 'package',
          include: ['test/package/**/*.test.ts'],
          testTimeout: 600_000,
        },
      },
      {
        extends: true,
        test: {
          // A real browser on a real page: one Chromium for the file, about 20 s in all.
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
