import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` needs nothing but Node (DynamoDB is in-process dynalite);
 * `integration` gets one real Kafka broker for the run from the globalSetup (or reuses
 * KAFKA_BROKERS). `npm test` runs both; `npm run test:unit` only the first.
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
          exclude: ['test/integration/**', 'node_modules/**'],
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
    ],
  },
});
