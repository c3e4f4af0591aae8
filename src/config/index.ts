// The config folder's front door: load the layered configuration, read it, and hide its secrets.

export { reservedEnvNames } from './env.js';
export type { ConfigKeyInfo, ValueKind } from './introspect.js';
export { configKeys } from './introspect.js';
export type { ConfigIssue } from './issues.js';
export type { ConfigOverrides, DeepPartial, LoadConfigOptions, LoadedConfig } from './load.js';
export { loadConfig, resolveStorageUrl } from './load.js';
export { collectSecrets, isSecretKey, MASK, maskSecrets, redactText } from './mask.js';
export type {
  Config,
  ConfigInput,
  ConfigSection,
  ProjectConfig,
  VendorConfig,
} from './schema.js';
export { ConfigSchema, configSections, defaultConfig, defaultVendorCommands } from './schema.js';
export type { RoleSettings } from './settings.js';
export { loopLimits, roleSettings } from './settings.js';
