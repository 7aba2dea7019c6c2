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
