// Dotted keys as people type them (`loop.max-fix-rounds`, `projects[0].repo`, `agent.env.NAME`):
// resolved against the schema with a "did you mean" hint, and string values parsed to the key's type.

import { coerce } from './env.js';
import {
  type ConfigPath,
  objectKeysAt,
  schemaAt,
  type ValueKind,
  valueKind,
} from './introspect.js';
import { type ConfigIssue, formatPath, suggest, valueAt } from './issues.js';
import { isPlainObject } from './merge.js';

export interface ResolvedKey {
  /** The key as `formatPath` writes it. */
  key: string;
  path: ConfigPath;
  kind: ValueKind;
}

export type KeyResolution = { ok: true; key: ResolvedKey } | { ok: false; issue: ConfigIssue };

/** `projects[0].checks` → `['projects', 0, 'checks']`; undefined when it is no key at all. */
export function parseKeyPath(key: string): ConfigPath | undefined {
  const path: (string | number)[] = [];
  for (const part of key.trim().split('.')) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (match === null) return undefined;
    const [, name = '', indexes = ''] = match;
    if (name === '' && (indexes === '' || path.length === 0)) return undefined;
    if (name !== '') path.push(name);
    for (const index of indexes.matchAll(/\[(\d+)\]/g)) path.push(Number(index[1]));
  }
  return path.length === 0 ? undefined : path;
}

function keyIssue(key: string, reason: string, hint?: string): KeyResolution {
  return { ok: false, issue: { file: '', key, reason, ...(hint === undefined ? {} : { hint }) } };
}

/** The key's schema entry; an unknown name gets the closest known key as a hint. */
export function resolveConfigKey(written: string): KeyResolution {
  const path = parseKeyPath(written);
  if (path === undefined) {
    return keyIssue(written, 'not a config key', 'write it dotted, e.g. loop.max-fix-rounds');
  }
  for (let end = 1; end <= path.length; end++) {
    const parent = path.slice(0, end - 1);
    const segment = path[end - 1];
    const parentSchema = schemaAt(parent);
    const parentKind = parentSchema === undefined ? 'unknown' : valueKind(parentSchema);
    const shown = formatPath(parent);
    const list = parentKind === 'string-list' || parentKind === 'table-list';
    if (list && typeof segment === 'string') {
      return keyIssue(formatPath(path), `${shown} is a list`, `name an entry: ${shown}[0]`);
    }
    if (!list && typeof segment === 'number') {
      return keyIssue(formatPath(path), `${shown} is ${describeKind(parentKind)}, not a list`);
    }
    if (schemaAt(path.slice(0, end)) !== undefined) continue;
    if (parentKind !== 'table') {
      return keyIssue(formatPath(path), `${shown} is ${describeKind(parentKind)}, not a table`);
    }
    const known = schemaKeys(parent);
    const close = suggest(String(segment), known);
    const where = parent.length === 0 ? 'section' : 'key';
    const table = parent.length === 0 ? '' : ` in [${shown}]`;
    const hint =
      close === undefined
        ? `known ${where}s: ${known.join(', ')}`
        : `did you mean "${formatPath([...parent, close, ...path.slice(end)])}"?`;
    return keyIssue(formatPath(path), `unknown ${where} "${segment}"${table}`, hint);
  }
  const schema = schemaAt(path);
  const kind = schema === undefined ? 'unknown' : valueKind(schema);
  return { ok: true, key: { key: formatPath(path), path, kind } };
}

function schemaKeys(parent: ConfigPath): string[] {
  return objectKeysAt(parent).filter((key) => !(parent[0] === 'roles' && key === 'plan-reviewer'));
}

function describeKind(kind: ValueKind): string {
  const names: Record<ValueKind, string> = {
    string: 'a string',
    integer: 'an integer',
    number: 'a number',
    boolean: 'a boolean',
    enum: 'a choice',
    'string-list': 'a list',
    'string-map': 'a table of names',
    table: 'a table',
    'table-list': 'a list of tables',
    unknown: 'a value',
  };
  return names[kind];
}

export type ParsedValue =
  | { ok: true; value: unknown }
  | { ok: false; reason: string; hint?: string };

/**
 * A value typed on the command line, read as the key's type: numbers, booleans (`true/false`,
 * `yes/no`, `on/off`, `1/0`), lists as JSON or comma-separated, tables as JSON, text as given.
 * A value the type does not fit stays text, so validation names the key and the reason.
 */
export function parseConfigValue(raw: string, kind: ValueKind): ParsedValue {
  if (kind === 'string-list' && !raw.trim().startsWith('[')) {
    return {
      ok: true,
      value: raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    };
  }
  return coerce(raw, kind);
}

/**
 * `[roles.plan-reviewer]` and `[roles.plan_reviewer]` are one role: an edit uses the spelling the
 * file already has, so the file never ends up with both.
 */
export function fileSpelling(raw: Record<string, unknown>, path: ConfigPath): ConfigPath {
  if (path[0] !== 'roles' || (path[1] !== 'plan_reviewer' && path[1] !== 'plan-reviewer')) {
    return path;
  }
  const roles = valueAt(raw, ['roles']);
  if (!isPlainObject(roles)) return path;
  const other = path[1] === 'plan_reviewer' ? 'plan-reviewer' : 'plan_reviewer';
  return roles[other] !== undefined && roles[path[1]] === undefined
    ? ['roles', other, ...path.slice(2)]
    : path;
}

/** The parsed config's spelling of a key (`plan-reviewer` is read as `plan_reviewer`). */
export function parsedSpelling(path: ConfigPath): ConfigPath {
  return path[0] === 'roles' && path[1] === 'plan-reviewer'
    ? ['roles', 'plan_reviewer', ...path.slice(2)]
    : path;
}

export interface ConfigEntry {
  key: string;
  path: ConfigPath;
  value: unknown;
}

/**
 * The leaf values of a parsed config, in schema order: tables and lists of tables are opened, a
 * table of names (`agent.env`) shows its entries, lists and scalars are one entry each.
 */
export function configEntries(config: unknown): ConfigEntry[] {
  const out: ConfigEntry[] = [];
  const walk = (value: unknown, at: ConfigPath): void => {
    const schema = schemaAt(at);
    const kind = schema === undefined ? 'unknown' : valueKind(schema);
    const open =
      (kind === 'table' && isPlainObject(value)) ||
      (kind === 'table-list' && Array.isArray(value)) ||
      (kind === 'string-map' && isPlainObject(value) && Object.keys(value).length > 0);
    if (!open) {
      if (value !== undefined) out.push({ key: formatPath(at), path: at, value });
      return;
    }
    const items: [string | number, unknown][] = Array.isArray(value)
      ? value.map((item, index) => [index, item])
      : Object.entries(value as object);
    for (const [key, item] of items) walk(item, [...at, key]);
  };
  walk(config, []);
  return out;
}
