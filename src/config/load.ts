// The config front door's engine: find the file, read it, layer env and overrides over it, validate
// the result once and report every problem with the file or variable that caused it.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discoverConfigFile, resolveDataDir } from './discover.js';
import { envLayer } from './env.js';
import type { ConfigPath } from './introspect.js';
import { type ConfigIssue, configError, formatPath, issuesFromZod, valueAt } from './issues.js';
import { isSecretKey, maskUrlPasswords } from './mask.js';
import { type ConfigLayer, isPlainObject, mergeLayers } from './merge.js';
import { readConfigFile } from './read-file.js';
import { type Config, type ConfigInput, ConfigSchema } from './schema.js';

/** Objects partial at every depth; arrays (like `projects`) are replaced whole, so stay whole. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** What CLI flags (or an API PATCH) lay over the file and env; undefined values are skipped. */
export type ConfigOverrides = DeepPartial<ConfigInput>;

export interface LoadConfigOptions {
  /** The environment to read (`LOOPER_*`, `HOME`, `XDG_CONFIG_HOME`); default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** An explicit config file (e.g. `--config`); it must exist. */
  file?: string;
  overrides?: ConfigOverrides;
  /** Default `$HOME`, else `os.homedir()`. */
  homeDir?: string;
  /** Default `process.platform`; picks the platform config directory. */
  platform?: NodeJS.Platform;
}

export interface LoadedConfig {
  config: Config;
  /** The config file read, absolute; null when none exists (defaults, env and flags only). */
  file: string | null;
  /** `$LOOPER_HOME` or `~/.looper`, absolute. */
  dataDir: string;
  /** `storage.url` resolved: `sqlite://<absolute path>` or the `postgres://` URL as given. */
  storageUrl: string;
  warnings: string[];
  /** Which layer set a key of `config`: `default`, `file`, `flag` or the `LOOPER_…` variable. */
  sourceOf(path: ConfigPath): ConfigSource;
}

/** Where a value came from: a default, the config file, a flag (override) or an env variable. */
export type ConfigSource = 'default' | 'file' | 'flag' | `LOOPER_${string}`;

export type LayeredConfig =
  | { ok: true; config: Config; warnings: string[]; sourceOf(path: ConfigPath): ConfigSource }
  | { ok: false; issues: ConfigIssue[]; warnings: string[] };

/** `[roles.plan-reviewer]` is read as `plan_reviewer`: look a parsed key up under either name. */
function rawPath(raw: unknown, path: ConfigPath): ConfigPath {
  if (path[0] !== 'roles' || path[1] !== 'plan_reviewer') return path;
  if (valueAt(raw, path) !== undefined) return path;
  return ['roles', 'plan-reviewer', ...path.slice(2)];
}

/**
 * Lays the env layer and `overrides` over a file's parsed table (or none) and validates the result:
 * the engine of `loadConfig`, also used to check an edit before it is written.
 */
export function layerConfig(input: {
  file: { path: string; value: Record<string, unknown> } | null;
  env: NodeJS.ProcessEnv;
  overrides?: ConfigOverrides;
}): LayeredConfig {
  const layers: ConfigLayer[] = [];
  if (input.file !== null) layers.push({ label: input.file.path, value: input.file.value });
  const fromEnv = envLayer(input.env);
  layers.push(fromEnv.layer);
  if (input.overrides !== undefined) {
    layers.push({ label: 'overrides', value: input.overrides as Record<string, unknown> });
  }

  const merged = mergeLayers(layers);
  const parsed = ConfigSchema.safeParse(merged.value);
  const issues: ConfigIssue[] = [...fromEnv.issues];
  if (!parsed.success)
    issues.push(...issuesFromZod(parsed.error.issues, merged.value, merged.originOf));
  if (!parsed.success || issues.length > 0) {
    return { ok: false, issues: byLayer(issues), warnings: fromEnv.warnings };
  }
  const sourceOf = (path: ConfigPath): ConfigSource => {
    const at = rawPath(merged.value, path);
    if (valueAt(merged.value, at) === undefined) return 'default';
    const label = merged.originOf(at);
    if (label.startsWith('env ')) return label.slice('env '.length) as ConfigSource;
    if (label === 'overrides') return 'flag';
    return label === 'defaults' ? 'default' : 'file';
  };
  return { ok: true, config: parsed.data, warnings: fromEnv.warnings, sourceOf };
}

/** `""` → SQLite in the data dir; a relative `sqlite://` path is taken from the data dir. */
export function resolveStorageUrl(url: string, dataDir: string): string {
  if (url === '') return `sqlite://${path.join(dataDir, 'looper.db')}`;
  if (!url.startsWith('sqlite://')) return url;
  const file = url.slice('sqlite://'.length);
  return `sqlite://${path.resolve(dataDir, file)}`;
}

/** Keys in a raw file that hold secrets: non-empty secret-named values and URL passwords. */
export function secretKeys(value: unknown, prefix: (string | number)[] = []): string[] {
  if (typeof value === 'string') {
    return value !== maskUrlPasswords(value) ? [formatPath(prefix)] : [];
  }
  const entries = Array.isArray(value)
    ? value.map((item, index) => [index, item] as const)
    : isPlainObject(value)
      ? Object.entries(value)
      : [];
  return entries.flatMap(([key, item]) => {
    const at = [...prefix, key];
    const secret = typeof key === 'string' && isSecretKey(key);
    if (secret && typeof item === 'string') return item === '' ? [] : [formatPath(at)];
    return secretKeys(item, at);
  });
}

function permissionWarning(file: string, raw: unknown, shown: string): string | undefined {
  const keys = secretKeys(raw);
  if (keys.length === 0) return undefined;
  const mode = fs.statSync(file).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  return (
    `${shown} holds secrets (${keys.join(', ')}) and is readable by group or others ` +
    `(mode ${mode.toString(8)}); run: chmod 600 ${shown}`
  );
}

/** File issues first, then env, then overrides, as the layers apply. */
function byLayer(issues: ConfigIssue[]): ConfigIssue[] {
  const rank = (issue: ConfigIssue) =>
    issue.file.startsWith('env ') ? 1 : issue.file === 'overrides' ? 2 : 0;
  return [...issues].sort((a, b) => rank(a) - rank(b));
}

/**
 * Loads the configuration: defaults → file → env → overrides, merged key by key and validated.
 * Throws LooperError('config_invalid') listing every issue as "file: key: reason (hint)".
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const homeDir = options.homeDir ?? (env.HOME || os.homedir());
  const platform = options.platform ?? process.platform;
  const showFile = (file: string) =>
    file.startsWith(`${homeDir}${path.sep}`) ? `~${file.slice(homeDir.length)}` : file;
  const dataDir = resolveDataDir({ env, homeDir });

  const locate = { env, homeDir, platform };
  const found = discoverConfigFile(
    options.file === undefined ? locate : { ...locate, explicit: options.file },
    dataDir,
  );
  if (!found.ok) throw configError(found.issues, showFile);
  const warnings = found.ignored.map(
    (other) => `${showFile(other)} is ignored: ${showFile(found.file ?? '')} is read first`,
  );

  let file: { path: string; value: Record<string, unknown> } | null = null;
  if (found.file !== null) {
    const read = readConfigFile(found.file);
    if (!read.ok) throw configError(read.issues, showFile);
    file = { path: found.file, value: read.value };
    const warning =
      platform === 'win32'
        ? undefined
        : permissionWarning(found.file, read.value, showFile(found.file));
    if (warning !== undefined) warnings.push(warning);
  }
  const layered = layerConfig({
    file,
    env,
    ...(options.overrides === undefined ? {} : { overrides: options.overrides }),
  });
  warnings.push(...layered.warnings);
  if (!layered.ok) throw configError(layered.issues, showFile);

  const { config, sourceOf } = layered;
  return {
    config,
    file: found.file,
    dataDir,
    storageUrl: resolveStorageUrl(config.storage.url, dataDir),
    warnings,
    sourceOf,
  };
}
