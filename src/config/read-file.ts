// Reads one config file (TOML, YAML or JSON by extension) into a plain table, reporting syntax
// errors with the file, line and column the parser gives.

import fs from 'node:fs';
import path from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { parseDocument } from 'yaml';
import { type ConfigIssue, describeValue } from './issues.js';
import { isPlainObject } from './merge.js';

export const configFormats = ['toml', 'yaml', 'json'] as const;
export type ConfigFormat = (typeof configFormats)[number];

export type ReadResult =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; issues: ConfigIssue[] };

export function formatOf(file: string): ConfigFormat | undefined {
  switch (path.extname(file).toLowerCase()) {
    case '.toml':
      return 'toml';
    case '.yaml':
    case '.yml':
      return 'yaml';
    case '.json':
      return 'json';
    default:
      return undefined;
  }
}

type Parsed = { ok: true; value: unknown } | { ok: false; issues: ConfigIssue[] };

function syntaxError(
  file: string,
  reason: string,
  line?: number,
  column?: number,
): { ok: false; issues: ConfigIssue[] } {
  const issue: ConfigIssue = { file, key: '', reason };
  if (line !== undefined) issue.line = line;
  if (column !== undefined) issue.column = column;
  return { ok: false, issues: [issue] };
}

/** Line and column (1-based) of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}

function parseText(text: string, format: ConfigFormat, file: string): Parsed {
  switch (format) {
    case 'toml':
      try {
        return { ok: true, value: parseToml(text) };
      } catch (error) {
        if (!(error instanceof TomlError)) throw error;
        const reason = `invalid TOML: ${error.message.split('\n')[0]?.replace(/^Invalid TOML document: /, '')}`;
        return syntaxError(file, reason, error.line, error.column);
      }
    case 'yaml': {
      const document = parseDocument(text);
      const [first] = document.errors;
      if (first === undefined) return { ok: true, value: document.toJS() };
      const message = first.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '');
      const position = first.linePos?.[0];
      return syntaxError(file, `invalid YAML: ${message}`, position?.line, position?.col);
    }
    case 'json':
      try {
        return { ok: true, value: JSON.parse(text) as unknown };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const offset = /at position (\d+)/.exec(message)?.[1];
        const at = offset === undefined ? undefined : lineColumn(text, Number(offset));
        const reason = `invalid JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}`;
        return syntaxError(file, reason, at?.line, at?.column);
      }
  }
}

/** Parses config text; an empty document is an empty table. */
export function parseConfigText(text: string, format: ConfigFormat, file: string): ReadResult {
  if (text.trim() === '') return { ok: true, value: {} };
  const result = parseText(text, format, file);
  if (!result.ok) return result;
  const parsed = result.value;
  if (parsed === null || parsed === undefined) return { ok: true, value: {} };
  if (!isPlainObject(parsed)) {
    return syntaxError(
      file,
      `expected a table of sections at the top, got ${describeValue(parsed)}`,
    );
  }
  return { ok: true, value: parsed };
}

export function readConfigFile(file: string): ReadResult {
  const format = formatOf(file);
  if (format === undefined) {
    return syntaxError(file, 'unsupported file type (use .toml, .yaml, .yml or .json)');
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return syntaxError(file, `cannot read the file (${code})`);
  }
  return parseConfigText(text, format, file);
}
