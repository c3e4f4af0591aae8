// Targeted line edits of a TOML file (`key = value` inside a `[table]`), so `looper config set`
// keeps the user's comments and layout. Anything less simple returns undefined: the caller then
// rewrites the whole file from its parsed content.

import { stringify } from 'smol-toml';
import type { ConfigPath } from './introspect.js';

export interface TomlChange {
  path: ConfigPath;
  /** undefined removes the key. */
  value: unknown;
}

/** Where a `#` comment starts on a line, outside strings; -1 without one or inside a multi-line string. */
export function commentStart(line: string): number {
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote === null) {
      if (char === '#') return i;
      if (char === '"' || char === "'") {
        if (line.startsWith(char.repeat(3), i)) return -1;
        quote = char;
      }
    } else if (quote === '"' && char === '\\') {
      i++;
    } else if (char === quote) {
      quote = null;
    }
  }
  return -1;
}

/** True when the text has a comment a rewrite from the parsed content would drop. */
export function hasTomlComments(text: string): boolean {
  return text.split('\n').some((line) => commentStart(line) >= 0);
}

const bareKey = /^[A-Za-z0-9_-]+$/;

function tomlKey(key: string | number): string {
  const text = String(key);
  return bareKey.test(text) ? text : JSON.stringify(text);
}

const keyParts: readonly [RegExp, (text: string) => string][] = [
  [/^([A-Za-z0-9_-]+)\s*/, (text) => text],
  [/^"((?:[^"\\]|\\.)*)"\s*/, (text) => JSON.parse(`"${text}"`) as string],
  [/^'([^']*)'\s*/, (text) => text],
];

/** Reads a (dotted) TOML key: `a."b.c".d` → ['a', 'b.c', 'd']; undefined when unsure. */
export function parseTomlKey(text: string): string[] | undefined {
  const parts: string[] = [];
  let rest = text.trim();
  for (;;) {
    const part = keyParts
      .map(([pattern, read]) => ({ match: pattern.exec(rest), read }))
      .find(({ match }) => match !== null);
    if (part?.match?.[1] === undefined) return undefined;
    try {
      parts.push(part.read(part.match[1]));
    } catch {
      return undefined; // a bad escape
    }
    rest = rest.slice(part.match[0].length);
    if (rest === '') return parts;
    if (!rest.startsWith('.')) return undefined;
    rest = rest.slice(1).trimStart();
  }
}

/** `value` as one line of TOML (scalars and lists of scalars only). */
function literal(value: unknown): string | undefined {
  const scalar = (item: unknown) =>
    typeof item === 'string' || typeof item === 'boolean' || typeof item === 'number';
  if (!scalar(value) && !(Array.isArray(value) && value.every(scalar))) return undefined;
  const line = stringify({ v: value }).trimEnd();
  return line.startsWith('v = ') && !line.includes('\n') ? line.slice(4) : undefined;
}

const sameKey = (a: readonly string[] | undefined, b: readonly (string | number)[]) =>
  a !== undefined && a.length === b.length && a.every((part, i) => part === String(b[i]));

interface Table {
  /** Index of the header line, -1 for the root table. */
  header: number;
  /** Index after the table's last line. */
  end: number;
}

function findTable(lines: readonly string[], table: ConfigPath): Table | undefined {
  let found: Table | undefined;
  lines.forEach((line, index) => {
    if (!/^\s*\[/.test(line)) return;
    if (found !== undefined && found.end === lines.length) found.end = index;
    const header = /^\s*\[([^[\]]+)\]\s*$/.exec(cutComment(line));
    if (found === undefined && header && sameKey(parseTomlKey(header[1] ?? ''), table)) {
      found = { header: index, end: lines.length };
    }
  });
  return found;
}

function cutComment(line: string): string {
  const at = commentStart(line);
  return at < 0 ? line : line.slice(0, at);
}

/** True when a value on one line is complete (no multi-line string or array). */
function isOneLine(value: string): boolean {
  const text = cutComment(value).trim();
  if (text.startsWith('"""') || text.startsWith("'''")) return false;
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quote !== null) {
      if (quote === '"' && char === '\\') i++;
      else if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '[' || char === '{') depth++;
    else if (char === ']' || char === '}') depth--;
  }
  return depth === 0 && quote === null;
}

function applyChange(lines: string[], change: TomlChange): boolean {
  const key = change.path[change.path.length - 1];
  const table = change.path.slice(0, -1);
  if (key === undefined || table.length === 0 || table.some((s) => typeof s === 'number')) {
    return false;
  }
  const value = change.value === undefined ? undefined : literal(change.value);
  if (change.value !== undefined && value === undefined) return false;
  const found = findTable(lines, table);
  if (found === undefined) {
    if (value === undefined) return true; // nothing to remove here; the check after tells
    while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
    if (lines.length > 0) lines.push('');
    lines.push(`[${table.map(tomlKey).join('.')}]`, `${tomlKey(key)} = ${value}`);
    return true;
  }
  let lastEntry = found.header;
  for (let index = found.header + 1; index < found.end; index++) {
    const line = lines[index] ?? '';
    const text = cutComment(line);
    if (text.trim() !== '') lastEntry = index;
    const assignment = /^(\s*)([^=]+?)(\s*=\s*)(.*)$/.exec(line);
    if (!assignment || !sameKey(parseTomlKey(assignment[2] ?? ''), [key])) continue;
    const rest = assignment[4] ?? '';
    if (!isOneLine(rest)) return false;
    if (value === undefined) {
      lines.splice(index, 1);
      return true;
    }
    const at = commentStart(rest);
    const comment = at < 0 ? '' : rest.slice(rest.slice(0, at).trimEnd().length);
    lines[index] = `${assignment[1]}${assignment[2]}${assignment[3]}${value}${comment}`;
    return true;
  }
  if (value !== undefined) lines.splice(lastEntry + 1, 0, `${tomlKey(key)} = ${value}`);
  return true;
}

/**
 * The text with each change made in place, or undefined when a change is beyond a line edit
 * (a whole table or list of tables, a multi-line value). The caller checks the result parses to
 * what it wants: a key set through a dotted key or an inline table elsewhere is caught there.
 */
export function editTomlText(text: string, changes: readonly TomlChange[]): string | undefined {
  const lines = text.split('\n');
  const trailingNewline = lines[lines.length - 1] === '';
  if (trailingNewline) lines.pop();
  for (const change of changes) if (!applyChange(lines, change)) return undefined;
  return `${lines.join('\n')}\n`;
}
