import { type BundlingOptions, LogLevel, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LAMBDA_CREDENTIAL_PROVIDER } from './paths.js';

/**
 * How every function is bundled: the local esbuild (never Docker), ESM like the repository,
 * targeting the oldest runtime we allow (Node 22), with the AWS SDK bundled so the code runs
 * against the SDK versions it was tested with rather than whatever the runtime ships.
 *
 * Skipping bundling (tests, quick lint runs) is not an option here: set the CDK context
 * `aws:cdk:bundling-stacks` to `[]` (app.ts does for `-c bundling=false`) and the assets are
 * staged without running esbuild.
 */
export function functionBundling(): BundlingOptions {
  return {
    forceDockerBundling: false,
    format: OutputFormat.ESM,
    target: 'node22',
    // ESM output cannot `require` Node built-ins from bundled CommonJS (kafkajs) without this.
    banner:
      "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    mainFields: ['module', 'main'],
    bundleAwsSDK: true,
    minify: true,
    sourceMap: true,
    // Stack traces need the mappings, not a copy of every source file (a 4x smaller map).
    sourcesContent: false,
    logLevel: LogLevel.WARNING,
    // The SDK's default credential chain minus what only a workstation has (profile files, SSO,
    // web identity) and the STS/SSO clients those pull in: about 125 KB of every bundle.
    // Lambda hands credentials over in environment variables; see lambdaCredentialProvider.
    esbuildArgs: { '--alias': `@aws-sdk/credential-provider-node=${LAMBDA_CREDENTIAL_PROVIDER}` },
  };
}
