// Edits the config file for `looper config set` and `PATCH /config`: finds the file (or where to
// create it), applies the change, validates the whole result, and writes it in its own format.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LooperError } from '../domain/index.js';
import { discoverConfigFile, expandHome, resolveDataDir } from './discover.js';
import type { ConfigPath } from './introspect.js';
import { type ConfigIssue, configError, formatPath, issuesFromZod, valueAt } from './issues.js';
import { fileSpelling, parseConfigValue, parsedSpelling, resolveConfigKey } from './keys.js';
import { type ConfigSource, layerConfig, secretKeys } from './load.js';
import { collectSecrets, maskSecrets, redactText } from './mask.js';
import { expandDottedKeys, mergePatchChanges, setIn } from './merge-patch.js';
import { type ConfigFormat, formatOf, parseConfigText, readConfigFile } from './read-file.js';
import { type Config, ConfigSchema } from './schema.js';
import { type ConfigChange, renderConfigText, writeConfigText } from './write-file.js';

export interface ConfigFileOptions {
  /** The environment (`LOOPER_*`, `HOME`, `XDG_CONFIG_HOME`, `LOOPER_CONFIG`). */
  env: NodeJS.ProcessEnv;
  /** The file named by `--config` (absolute); it need not exist yet. */
  file?: string;
  homeDir?: string;
  platform?: NodeJS.Platform;
}

export interface ConfigLocation {
  /** The file in use, or where one is created. */
  file: string;
  exists: boolean;
  format: ConfigFormat;
  /** Why this file: `--config`, `$LOOPER_CONFIG`, found by the search, or the default place. */
  via: 'option' | 'LOOPER_CONFIG' | 'search' | 'default';
  /** Other files the search found and skips. */
  ignored: string[];
  dataDir: string;
}

function homeOf(options: ConfigFileOptions): string {
  return options.homeDir ?? (options.env.HOME || os.homedir());
}

function shower(options: ConfigFileOptions): (file: string) => string {
  const home = homeOf(options);
  return (file) => (file.startsWith(`${home}${path.sep}`) ? `~${file.slice(home.length)}` : file);
}

function unsupported(file: string): LooperError {
  const reason = 'unsupported file type (use .toml, .yaml, .yml or .json)';
  return configError([{ file, key: '', reason }]);
}

/** The config file Looper reads (discovery order), or `<data-dir>/looper.toml` when there is none. */
export function locateConfigFile(options: ConfigFileOptions): ConfigLocation {
  const { env } = options;
  const homeDir = homeOf(options);
  const platform = options.platform ?? process.platform;
  const dataDir = resolveDataDir({ env, homeDir });
  const named = options.file ?? (env.LOOPER_CONFIG || undefined);
  const via =
    options.file !== undefined ? 'option' : named !== undefined ? 'LOOPER_CONFIG' : 'search';
  const locate = { env, homeDir, platform };
  const found = discoverConfigFile(
    options.file === undefined ? locate : { ...locate, explicit: options.file },
    dataDir,
  );
  const at = (file: string, exists: boolean, how: ConfigLocation['via'], ignored: string[]) => {
    const format = formatOf(file);
    if (format === undefined) throw unsupported(file);
    return { file, exists, format, via: how, ignored, dataDir };
  };
  if (found.ok) {
    if (found.file !== null) return at(found.file, true, via, found.ignored);
    return at(path.join(dataDir, 'looper.toml'), false, 'default', []);
  }
  // A named file that does not exist yet: `config set` creates it.
  const target = path.resolve(expandHome(named ?? '', homeDir));
  const isDir = fs.existsSync(target) && fs.statSync(target).isDirectory();
  if (isDir) return at(path.join(target, 'looper.toml'), false, via, []);
  if (formatOf(target) === undefined) throw configError(found.issues);
  return at(target, false, via, []);
}

/** Problems of one config file on its own (syntax, types, unknown keys); [] when it is valid. */
export function validateConfigFile(file: string): ConfigIssue[] {
  const read = readConfigFile(file);
  if (!read.ok) return read.issues;
  const parsed = ConfigSchema.safeParse(read.value);
  return parsed.success ? [] : issuesFromZod(parsed.error.issues, read.value, () => file);
}

export interface ChangedKey {
  key: string;
  /** The new value with secrets masked; undefined when the key was removed. */
  value: unknown;
  secret: boolean;
}

export interface ConfigEditResult {
  /** The file written (a symlink's target), or that would have been when nothing changed. */
  file: string;
  created: boolean;
  written: boolean;
  format: ConfigFormat;
  changes: ChangedKey[];
  /** The effective configuration after the edit (defaults → file → env), unmasked. */
  config: Config;
  sourceOf(path: ConfigPath): ConfigSource;
  /** The effective configuration before it, when it was valid. */
  previous: Config | undefined;
  dataDir: string;
  /** What a person should know: comments dropped, permissions tightened, env overrides. */
  notes: string[];
}

function masked(change: ConfigChange): ChangedKey {
  const key = formatPath(change.path);
  if (change.value === undefined) return { key, value: undefined, secret: false };
  const nested = change.path.reduceRight<unknown>(
    (inner, segment) => ({ [String(segment)]: inner }),
    change.value,
  );
  const value = valueAt(maskSecrets(nested), change.path.map(String));
  return { key, value, secret: JSON.stringify(value) !== JSON.stringify(change.value) };
}

function readExisting(location: ConfigLocation) {
  if (!location.exists) return { text: '', value: {} as Record<string, unknown> };
  const text = fs.readFileSync(location.file, 'utf8');
  const read = parseConfigText(text, location.format, location.file);
  if (!read.ok) throw configError(read.issues);
  return { text, value: read.value };
}

function sameIssue(a: ConfigIssue, b: ConfigIssue): boolean {
  return a.file === b.file && a.key === b.key && a.reason === b.reason;
}

/** The file's own problems, then what the environment layered over it would break. */
function issuesOf(next: Record<string, unknown>, file: string, env: NodeJS.ProcessEnv) {
  const alone = ConfigSchema.safeParse(next);
  const issues = alone.success ? [] : issuesFromZod(alone.error.issues, next, () => file);
  const layered = layerConfig({ file: { path: file, value: next }, env });
  if (!layered.ok) {
    for (const issue of layered.issues) {
      if (!issues.some((known) => sameIssue(known, issue))) issues.push(issue);
    }
  }
  const secrets = collectSecrets(next);
  return issues.map((issue) => ({
    ...issue,
    reason: redactText(issue.reason, secrets),
    ...(issue.hint === undefined ? {} : { hint: redactText(issue.hint, secrets) }),
  }));
}

function editConfigFile(
  options: ConfigFileOptions,
  changesFor: (raw: Record<string, unknown>) => ConfigChange[],
): ConfigEditResult {
  const show = shower(options);
  const location = locateConfigFile(options);
  const before = readExisting(location);
  const changes = changesFor(before.value);
  const next = structuredClone(before.value);
  for (const change of changes) setIn(next, change.path, change.value);
  const issues = issuesOf(next, location.file, options.env);
  // Errors name files in full: the CLI prints their details, which hold the same paths.
  if (issues.length > 0) throw configError(issues);
  const after = layerConfig({ file: { path: location.file, value: next }, env: options.env });
  if (!after.ok) throw configError(after.issues);
  const earlier = layerConfig({
    file: location.exists ? { path: location.file, value: before.value } : null,
    env: options.env,
  });
  const notes: string[] = [];
  let file = location.file;
  let created = false;
  if (changes.length > 0) {
    const rendered = renderConfigText(location.format, before.text, next, changes);
    const outcome = writeConfigText(location.file, rendered.text, {
      holdsSecrets: secretKeys(next).length > 0,
      ...(rendered.commentsLost ? { backup: before.text } : {}),
    });
    ({ file, created } = outcome);
    if (outcome.backup !== undefined) {
      notes.push(
        `${show(file)} was rewritten from its values, so its comments are gone; ` +
          `the previous text is in ${show(outcome.backup)}`,
      );
    }
    if (outcome.madePrivate) notes.push(`${show(file)} holds secrets: made it private (mode 600)`);
  }
  for (const change of changes) {
    const source = after.sourceOf(parsedSpelling(change.path));
    if (source.startsWith('LOOPER_')) {
      notes.push(`${source} in the environment overrides ${formatPath(change.path)}`);
    }
  }
  return {
    file,
    created,
    written: changes.length > 0,
    format: location.format,
    changes: changes.map(masked),
    config: after.config,
    sourceOf: after.sourceOf,
    previous: earlier.ok ? earlier.config : undefined,
    dataDir: location.dataDir,
    notes,
  };
}

/** `looper config set <key> <value>`: the value is read as the key's type, then validated whole. */
export function setConfigValue(
  options: ConfigFileOptions & { key: string; value: string },
): ConfigEditResult {
  const resolved = resolveConfigKey(options.key);
  if (!resolved.ok) throw keyError(resolved.issue);
  const { key, path: at, kind } = resolved.key;
  const parsed = parseConfigValue(options.value, kind);
  if (!parsed.ok) {
    const issue = {
      file: '',
      key,
      reason: parsed.reason,
      ...(parsed.hint ? { hint: parsed.hint } : {}),
    };
    throw keyError(issue);
  }
  return editConfigFile(options, (raw) => [{ path: fileSpelling(raw, at), value: parsed.value }]);
}

/** An unknown key or an unreadable value: a usage error naming the key, with a hint. */
export function keyError(issue: ConfigIssue): LooperError {
  const hint = issue.hint === undefined ? '' : ` (${issue.hint})`;
  const { file: _file, ...shown } = issue;
  return new LooperError('validation_failed', `${issue.key}: ${issue.reason}${hint}`, {
    details: { issues: [shown] },
  });
}

/**
 * `PATCH /config`: a JSON merge patch of kebab-case keys (a top-level key may also be dotted,
 * `loop.max-fix-rounds`), validated whole and written.
 */
export function patchConfigFile(
  options: ConfigFileOptions & { patch: Record<string, unknown> },
): ConfigEditResult {
  const patch = expandDottedKeys(options.patch);
  return editConfigFile(options, (raw) => mergePatchChanges(raw, raw, patch, []));
}
