// The config folder's front door: load the layered configuration, read it, and hide its secrets.

export type {
  ChangedKey,
  ConfigEditResult,
  ConfigFileOptions,
  ConfigLocation,
} from './edit.js';
export {
  keyError,
  locateConfigFile,
  patchConfigFile,
  setConfigValue,
  validateConfigFile,
} from './edit.js';
export { reservedEnvNames } from './env.js';
export type { ConfigKeyInfo, ConfigPath, ValueKind } from './introspect.js';
export { configKeys } from './introspect.js';
export type { ConfigIssue } from './issues.js';
export { formatIssue } from './issues.js';
export type { ConfigEntry, KeyResolution, ResolvedKey } from './keys.js';
export { configEntries, parsedSpelling, resolveConfigKey } from './keys.js';
export type {
  ConfigOverrides,
  ConfigSource,
  DeepPartial,
  LoadConfigOptions,
  LoadedConfig,
} from './load.js';
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
