import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../shared/engine/errors/index.js';
import { type DeploymentConfig, loadDeploymentConfig } from './config/index.js';
import { StreamProcessingStack } from './stacks/StreamProcessingStack.js';

/**
 * `cdk synth` / `cdk deploy` entry point (cdk.json: `npx tsx infra/app.ts`). One stack per
 * deployment, configured from context: `-c mode=msk-serverless`, `-c config=deploy.json`, ...
 * (docs/infra.md). Synthesizes offline: no lookups, env-agnostic unless account and region
 * are given.
 */
const app = new App();
try {
  const config: DeploymentConfig = loadDeploymentConfig(app);
  if (!config.functions.bundling) {
    // Stage function assets without running esbuild (quick lint runs; never for a deploy).
    app.node.setContext('aws:cdk:bundling-stacks', []);
  }
  new StreamProcessingStack(app, config.stackName, {
    config,
    description: `Kafka (${config.source.mode}) -> Lambda windowed aggregations into DynamoDB (${config.name})`,
    ...(config.account || config.region ? { env: { account: config.account, region: config.region } } : {}),
  });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // A wrong setting is the user's to fix (a bad value, or `-c handlers=` naming a handler the
  // catalog does not have, found while building the stack): say which, without a stack trace.
  console.error(`${error.message}\nSettings and defaults: docs/infra.md`);
  process.exit(1);
}
// cdk-nag 3 is a CDK validation plugin: an unacknowledged finding fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
