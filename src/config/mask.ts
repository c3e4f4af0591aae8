// Hides secrets before a value is shown (API, CLI, events, logs): secret-named keys, passwords in
// URLs, and known secret values inside free text.

import { isPlainObject } from './merge.js';

export const MASK = '****';

const secretWords = new Set(['token', 'secret', 'key', 'password', 'passwd']);

/**
 * True for keys whose kebab/snake/camel segments include a secret word: `token`,
 * `webhook-secret`, `api-key`, `GITHUB_TOKEN`, `apiKey`; not `max-turns` or `input-tokens`.
 */
export function isSecretKey(key: string): boolean {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .split(/[-_.\s]+/)
    .some((segment) => secretWords.has(segment));
}

const urlPassword = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s/@]+)@/gi;

/** `postgres://user:pw@host/db` → `postgres://user:****@host/db`. */
export function maskUrlPasswords(text: string): string {
  return text.replace(urlPassword, `$1${MASK}@`);
}

function maskAll(value: unknown): unknown {
  if (typeof value === 'string') return value === '' ? value : MASK;
  if (Array.isArray(value)) return value.map(maskAll);
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskAll(item)]));
  }
  return value;
}

/**
 * A deep copy with secrets replaced by "****": every non-empty string under a secret-named key and
 * every password inside a URL. Empty strings stay empty so "not set" stays visible.
 */
export function maskSecrets<T>(value: T): T {
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return maskUrlPasswords(item);
    if (Array.isArray(item)) return item.map(walk);
    if (!isPlainObject(item)) return item;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(item)) {
      out[key] = isSecretKey(key) ? maskAll(child) : walk(child);
    }
    return out;
  };
  return walk(value) as T;
}

/** The secret values in `value` (as `maskSecrets` sees them), for `redactText`. */
export function collectSecrets(value: unknown): string[] {
  const found = new Set<string>();
  const walk = (item: unknown, secret: boolean): void => {
    if (typeof item === 'string') {
      if (secret && item !== '') found.add(item);
      for (const match of item.matchAll(urlPassword)) if (match[2]) found.add(match[2]);
    } else if (Array.isArray(item)) {
      for (const child of item) walk(child, secret);
    } else if (isPlainObject(item)) {
      for (const [key, child] of Object.entries(item)) walk(child, secret || isSecretKey(key));
    }
  };
  walk(value, false);
  return [...found];
}

/** Replaces every occurrence of each non-empty secret in `text` with "****". */
export function redactText(text: string, secrets: readonly string[]): string {
  const ordered = [...new Set(secrets)].filter((s) => s !== '').sort((a, b) => b.length - a.length);
  let out = text;
  for (const secret of ordered) out = out.split(secret).join(MASK);
  return out;
}
