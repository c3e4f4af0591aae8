// Changes to a parsed config table: a JSON merge patch (RFC 7386) turned into leaf changes, dotted
// top-level keys read as nested ones, and each change applied to the table in place.

import { LooperError } from '../domain/index.js';
import type { ConfigPath } from './introspect.js';
import { formatPath } from './issues.js';
import { fileSpelling, parseKeyPath } from './keys.js';
import { isPlainObject } from './merge.js';
import type { ConfigChange } from './write-file.js';

function noSuchEntry(at: ConfigPath, length: number): LooperError {
  const list = formatPath(at.slice(0, -1));
  const reason = `${list} has ${length} entries: ${list}[${length}] adds one`;
  return new LooperError('validation_failed', `${formatPath(at)}: ${reason}`, {
    details: { issues: [{ key: formatPath(at), reason }] },
  });
}

/** Sets (or with undefined removes) the value at `at` inside `root`, making tables on the way. */
export function setIn(root: Record<string, unknown>, at: ConfigPath, value: unknown): void {
  let current: unknown = root;
  for (const [index, segment] of at.entries()) {
    const last = index === at.length - 1;
    if (Array.isArray(current) && typeof segment === 'number' && segment > current.length) {
      throw noSuchEntry(at.slice(0, index + 1), current.length);
    }
    const holder = current as Record<string | number, unknown>;
    if (last) {
      if (value !== undefined) holder[segment] = value;
      else if (Array.isArray(holder) && typeof segment === 'number') holder.splice(segment, 1);
      else delete holder[segment];
      return;
    }
    const nextIsIndex = typeof at[index + 1] === 'number';
    let child = holder[segment];
    if (nextIsIndex ? !Array.isArray(child) : !isPlainObject(child)) {
      if (value === undefined) return;
      child = nextIsIndex ? [] : {};
      holder[segment] = child;
    }
    current = child;
  }
}

/** RFC 7386 merge patch → the leaf changes it makes to `current` (null removes a key). */
export function mergePatchChanges(
  root: Record<string, unknown>,
  current: unknown,
  patch: Record<string, unknown>,
  at: ConfigPath,
): ConfigChange[] {
  const changes: ConfigChange[] = [];
  for (const [written, value] of Object.entries(patch)) {
    const key =
      at.length === 1 && at[0] === 'roles' ? fileSpelling(root, ['roles', written])[1] : written;
    const child = [...at, key ?? written];
    const existing = isPlainObject(current) ? current[String(key)] : undefined;
    if (value === null) {
      if (existing !== undefined) changes.push({ path: child, value: undefined });
    } else if (isPlainObject(value) && (isPlainObject(existing) || existing === undefined)) {
      // Leaf by leaf, so a TOML or YAML file is edited in place rather than rebuilt.
      changes.push(...mergePatchChanges(root, existing ?? {}, value, child));
    } else {
      changes.push({ path: child, value: isPlainObject(value) ? withoutNulls(value) : value });
    }
  }
  return changes;
}

function withoutNulls(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== null) out[key] = isPlainObject(item) ? withoutNulls(item) : item;
  }
  return out;
}

/** Merges `b` into `a` table by table (for dotted keys beside nested ones). */
function deepMerge(a: unknown, b: unknown): unknown {
  if (!isPlainObject(a) || !isPlainObject(b)) return b;
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) out[key] = deepMerge(out[key], value);
  return out;
}

/** `{"loop.max-fix-rounds": 7}` → `{"loop": {"max-fix-rounds": 7}}`; other keys stay as written. */
export function expandDottedKeys(patch: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    const at = (key.includes('.') ? parseKeyPath(key) : undefined) ?? [key];
    // A list index (`projects[0].repo`) has no merge-patch form: such a key stays as written.
    const nested = at.every((segment) => typeof segment === 'string')
      ? at.reduceRight<unknown>((inner, segment) => ({ [segment]: inner }), value)
      : { [key]: value };
    out = deepMerge(out, nested) as Record<string, unknown>;
  }
  return out;
}
