export {
  CONFIG_KEYS,
  type ConfigKey,
  type DeploymentConfig,
  type ExistingNetwork,
  type KafkaSourceConfig,
  type MskServerlessSource,
  type MskSource,
  parseDeploymentConfig,
  type SelfManagedSource,
  type SourceMode,
} from './deploymentConfig.js';
export { loadDeploymentConfig, readConfigFile } from './loadDeploymentConfig.js';
