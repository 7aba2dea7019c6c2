import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Construct } from 'constructs';
import { ConfigError } from '../../shared/engine/errors/index.js';
import { CONFIG_KEYS, type DeploymentConfig, parseDeploymentConfig } from './deploymentConfig.js';

/**
 * Reads a deployment's settings from CDK context: first the JSON file named by `-c config=<path>`
 * (a typed alternative to many `-c` flags, validated by the same schema), then every known key
 * from context (`cdk.json`, `cdk.context.json`, `-c key=value`), which wins over the file.
 */
export function loadDeploymentConfig(scope: Construct): DeploymentConfig {
  const raw: Record<string, unknown> = {};
  const file = scope.node.tryGetContext('config') as unknown;
  if (file !== undefined) Object.assign(raw, readConfigFile(String(file)));
  for (const key of CONFIG_KEYS) {
    const value = scope.node.tryGetContext(key) as unknown;
    if (value !== undefined) raw[key] = value;
  }
  return parseDeploymentConfig(raw);
}

/** A JSON object of config keys; unknown keys are reported by the schema, not ignored. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch (cause) {
    throw new ConfigError(
      `cannot read the config file ${path} given with -c config=: ${(cause as Error).message}`,
      { cause },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`config file ${path} is not JSON: ${(cause as Error).message}`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold one JSON object of settings, e.g. {"mode":"msk"}`);
  }
  return parsed as Record<string, unknown>;
}
