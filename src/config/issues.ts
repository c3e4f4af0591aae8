// Turns schema failures into config issues a person can act on ("file: key: reason (hint)") and
// bundles them into one `config_invalid` LooperError.

import type { z } from 'zod';
import { LooperError } from '../domain/index.js';
import { type ConfigPath, objectKeysAt } from './introspect.js';

export interface ConfigIssue {
  /** Where the value came from: a file path, `env LOOPER_…`, `overrides` or `defaults`. */
  file: string;
  /** Dotted key (`loop.max-fix-rounds`, `projects[0].repo`); "" for a whole-file problem. */
  key: string;
  reason: string;
  hint?: string;
  line?: number;
  column?: number;
}

export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

export function formatIssue(issue: ConfigIssue, showFile: (file: string) => string): string {
  const where = issue.line === undefined ? '' : `:${issue.line}:${issue.column ?? 1}`;
  const key = issue.key === '' ? '' : `${issue.key}: `;
  const hint = issue.hint === undefined ? '' : ` (${issue.hint})`;
  return `${showFile(issue.file)}${where}: ${key}${issue.reason}${hint}`;
}

export function configError(
  issues: readonly ConfigIssue[],
  showFile: (file: string) => string = (file) => file,
): LooperError {
  const message = issues.map((issue) => formatIssue(issue, showFile)).join('\n');
  return new LooperError('config_invalid', message, { details: { issues: [...issues] } });
}

export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The closest candidate to `word` (snake_case and camelCase read as kebab-case), if close. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const normal = (text: string) =>
    text
      .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .replace(/_/g, '-')
      .toLowerCase();
  const target = normal(word);
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = levenshtein(target, normal(candidate));
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  if (best === undefined) return undefined;
  return best.distance <= Math.max(2, Math.floor(target.length / 3)) ? best.candidate : undefined;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  return 'a table';
}

const expectedNames: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean (true or false)',
  array: 'an array',
  object: 'a table',
  record: 'a table',
};

export function valueAt(root: unknown, path: ConfigPath): unknown {
  let current = root;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

function unknownKeyIssue(parent: ConfigPath, key: string, file: string): ConfigIssue {
  const allowed = objectKeysAt(parent);
  const close = suggest(key, allowed);
  const where = parent.length === 0 ? 'section' : 'key';
  const table = parent.length === 0 ? '' : ` in [${formatPath(parent)}]`;
  const hint =
    close !== undefined
      ? `did you mean "${close}"?`
      : `known ${where}s: ${allowed.map((name) => `"${name}"`).join(', ')}`;
  return {
    file,
    key: formatPath([...parent, key]),
    reason: `unknown ${where} "${key}"${table}`,
    hint,
  };
}

function reasonFor(issue: z.core.$ZodIssue, value: unknown): string {
  const got = `got ${describeValue(value)}`;
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return 'is required';
      return `expected ${expectedNames[issue.expected] ?? issue.expected}, ${got}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, ${got}`;
    case 'too_small':
      if (issue.origin === 'string') return 'must not be empty';
      if (issue.origin === 'array') return `needs at least ${issue.minimum} entries`;
      return `must be at least ${issue.minimum}, ${got}`;
    case 'too_big':
      return `must be at most ${issue.maximum}, ${got}`;
    default: {
      const primitive = typeof value !== 'object' || value === null;
      return primitive && value !== undefined ? `${issue.message}, ${got}` : issue.message;
    }
  }
}

/**
 * Translates zod issues on the merged input `raw`; `originOf` names the layer (file, env var,
 * overrides) that supplied the value at a path.
 */
export function issuesFromZod(
  zodIssues: readonly z.core.$ZodIssue[],
  raw: unknown,
  originOf: (path: ConfigPath) => string,
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of zodIssues) {
    const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push(unknownKeyIssue(path, key, originOf([...path, key])));
      continue;
    }
    const value = valueAt(raw, path);
    out.push({ file: originOf(path), key: formatPath(path), reason: reasonFor(issue, value) });
  }
  return out;
}
