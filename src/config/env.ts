// Reads `LOOPER_<SECTION>_<KEY>` variables into a config layer, coercing each string to the type
// the schema expects at that key. Variables of unknown sections are not config and are skipped.

import {
  type ConfigPath,
  objectKeysAt,
  schemaAt,
  type ValueKind,
  valueKind,
} from './introspect.js';
import { type ConfigIssue, describeValue, formatPath, suggest } from './issues.js';
import { type ConfigLayer, isPlainObject, pathKey } from './merge.js';
import { configSections } from './schema.js';

/** LOOPER_* names with other meanings (paths, agent run context); never read as config. */
export const reservedEnvNames: readonly string[] = [
  'LOOPER_HOME',
  'LOOPER_CONFIG',
  'LOOPER_PROMPT',
  'LOOPER_ROLE',
  'LOOPER_RUN_ID',
  'LOOPER_MODEL',
  'LOOPER_TOKEN',
  'LOOPER_URL',
];

export interface EnvLayerResult {
  layer: ConfigLayer;
  issues: ConfigIssue[];
  warnings: string[];
}

type Resolved = { ok: true; path: ConfigPath } | { ok: false; issue: Omit<ConfigIssue, 'file'> };

const snake = (key: string) => key.replace(/-/g, '_');

/** Finds the config path a variable's key part (`MAX_FIX_ROUNDS`, `CLAUDE_CODE_COMMAND`) names. */
function resolveKey(base: ConfigPath, lower: string, original: string): Resolved {
  const keys = objectKeysAt(base);
  if (keys.length === 0) {
    return {
      ok: false,
      issue: {
        key: formatPath(base),
        reason: `[${formatPath(base)}] can only be set as a whole`,
        hint: `LOOPER_${snake(formatPath(base)).toUpperCase()}='[…]' (JSON)`,
      },
    };
  }
  const exact = keys.find((key) => snake(key) === lower);
  if (exact !== undefined) return { ok: true, path: [...base, exact] };
  const prefixes = keys
    .filter((key) => lower.startsWith(`${snake(key)}_`))
    .sort((a, b) => b.length - a.length);
  for (const key of prefixes) {
    const path = [...base, key];
    const schema = schemaAt(path);
    const cut = snake(key).length + 1;
    const kind = schema === undefined ? 'unknown' : valueKind(schema);
    if (kind === 'table') return resolveKey(path, lower.slice(cut), original.slice(cut));
    if (kind === 'string-map') return { ok: true, path: [...path, original.slice(cut)] };
  }
  const written = lower.replace(/_/g, '-');
  const close = closestEnvName(base, lower, keys);
  return {
    ok: false,
    issue: {
      key: formatPath([...base, written]),
      reason: `unknown key "${written}" in [${formatPath(base)}]`,
      hint:
        close !== undefined
          ? `did you mean ${close}?`
          : `known keys: ${keys.map((key) => `"${key}"`).join(', ')}`,
    },
  };
}

const envName = (path: ConfigPath) =>
  `LOOPER_${path.map((s) => snake(String(s))).join('_')}`.toUpperCase();

/** A near miss: the longest head of `lower` close to a key (a table's name may lead a longer name). */
function closestEnvName(base: ConfigPath, lower: string, keys: string[]): string | undefined {
  const segments = lower.split('_');
  for (let end = segments.length; end > 0; end--) {
    const close = suggest(segments.slice(0, end).join('-'), keys);
    if (close === undefined) continue;
    const tail = segments.slice(end);
    const schema = schemaAt([...base, close]);
    const kind = schema === undefined ? 'unknown' : valueKind(schema);
    if (tail.length > 0 && kind !== 'table' && kind !== 'string-map') continue;
    return envName([...base, close, ...tail]);
  }
  return undefined;
}

const booleans: Record<string, boolean> = {
  true: true,
  false: false,
  '1': true,
  '0': false,
  yes: true,
  no: false,
  on: true,
  off: false,
};

const jsonExamples: Partial<Record<ValueKind, string>> = {
  'string-list': `'["a","b"]'`,
  'string-map': `'{"NAME":"value"}'`,
  table: `'{"key":"value"}'`,
  'table-list': `'[{"repo":"owner/name"}]'`,
};

type Coerced = { ok: true; value: unknown } | { ok: false; reason: string; hint?: string };

/** Strings the schema would reject stay strings, so validation reports them with their key. */
export function coerce(raw: string, kind: ValueKind): Coerced {
  switch (kind) {
    case 'integer':
    case 'number': {
      const number = Number(raw.trim());
      return { ok: true, value: raw.trim() !== '' && Number.isFinite(number) ? number : raw };
    }
    case 'boolean':
      return { ok: true, value: booleans[raw.trim().toLowerCase()] ?? raw };
    case 'string-list':
    case 'string-map':
    case 'table':
    case 'table-list':
      try {
        return { ok: true, value: JSON.parse(raw) };
      } catch {
        const hint = jsonExamples[kind];
        return {
          ok: false,
          reason: `expected JSON, got ${describeValue(raw)}`,
          ...(hint === undefined ? {} : { hint: `for example ${hint}` }),
        };
      }
    default:
      return { ok: true, value: raw };
  }
}

function setAt(root: Record<string, unknown>, path: ConfigPath, value: unknown): void {
  let current = root;
  for (const segment of path.slice(0, -1)) {
    const key = String(segment);
    const next = current[key];
    if (isPlainObject(next)) {
      current = next;
    } else {
      const created: Record<string, unknown> = Object.create(null);
      current[key] = created;
      current = created;
    }
  }
  current[String(path[path.length - 1])] = value;
}

/** The env layer: every `LOOPER_<SECTION>[_<KEY>]` variable of a known section. */
export function envLayer(env: NodeJS.ProcessEnv): EnvLayerResult {
  const value: Record<string, unknown> = Object.create(null);
  const labels = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const names = Object.keys(env)
    .filter((name) => name.startsWith('LOOPER_') && !reservedEnvNames.includes(name))
    .sort();
  for (const name of names) {
    const raw = env[name];
    if (raw === undefined) continue;
    const file = `env ${name}`;
    const original = name.slice('LOOPER_'.length);
    const lower = original.toLowerCase();
    const section = configSections.find((s) => lower === s || lower.startsWith(`${s}_`));
    if (section === undefined) {
      const first = lower.split('_')[0] ?? '';
      const close = lower.includes('_') ? suggest(first, configSections) : undefined;
      if (close !== undefined) {
        warnings.push(
          `${name} is ignored: no config section "${first}" (did you mean "${close}"?)`,
        );
      }
      continue;
    }
    const cut = section.length + 1;
    const resolved: Resolved =
      lower === section
        ? { ok: true, path: [section] }
        : resolveKey([section], lower.slice(cut), original.slice(cut));
    if (!resolved.ok) {
      issues.push({ file, ...resolved.issue });
      continue;
    }
    const schema = schemaAt(resolved.path);
    const kind = schema === undefined ? 'string' : valueKind(schema);
    // `LOOPER_X=` unsets a number, list or table (compose files); for a string "" is a value.
    if (raw.trim() === '' && kind !== 'string' && kind !== 'enum') continue;
    const coerced = coerce(raw, kind);
    if (!coerced.ok) {
      const { reason, hint } = coerced;
      issues.push({ file, key: formatPath(resolved.path), reason, ...(hint ? { hint } : {}) });
      continue;
    }
    setAt(value, resolved.path, coerced.value);
    labels.set(pathKey(resolved.path), file);
  }
  return { layer: { label: 'env', value, labels }, issues, warnings };
}
