// Writes an edited config back in its own format: YAML through its document model and TOML by
// line edits (both keep comments), JSON re-indented; a rewrite that would drop comments keeps a
// backup. The file is replaced atomically and stays private when it holds secrets.

import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { stringify as stringifyToml } from 'smol-toml';
import { parseDocument, stringify as stringifyYaml } from 'yaml';
import type { ConfigFormat } from './read-file.js';
import { parseConfigText } from './read-file.js';
import { editTomlText, hasTomlComments, type TomlChange } from './toml-edit.js';

export type ConfigChange = TomlChange;

export interface RenderedConfig {
  text: string;
  /** True when comments of the old text were dropped (the text was rebuilt from its values). */
  commentsLost: boolean;
}

const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? {}));

function parsesTo(text: string, format: ConfigFormat, want: Record<string, unknown>): boolean {
  const read = parseConfigText(text, format, 'edit');
  return read.ok && isDeepStrictEqual(plain(read.value), plain(want));
}

function jsonIndent(previous: string): string | number {
  const indent = /^[{[]\s*\n([ \t]+)\S/.exec(previous.trimStart())?.[1];
  return indent ?? 2;
}

function yamlEdit(previous: string, changes: readonly ConfigChange[]): string | undefined {
  const document = parseDocument(previous);
  if (document.errors.length > 0) return undefined;
  for (const change of changes) {
    if (change.value === undefined) document.deleteIn(change.path);
    else document.setIn(change.path, document.createNode(change.value));
  }
  return String(document);
}

/**
 * The new text of a config file whose values become `next` through `changes`. An edit in place is
 * used when it parses back to exactly `next`; otherwise the file is rebuilt from `next`.
 */
export function renderConfigText(
  format: ConfigFormat,
  previous: string,
  next: Record<string, unknown>,
  changes: readonly ConfigChange[],
): RenderedConfig {
  if (format === 'json') {
    return { text: `${JSON.stringify(next, null, jsonIndent(previous))}\n`, commentsLost: false };
  }
  const edited = format === 'toml' ? editTomlText(previous, changes) : yamlEdit(previous, changes);
  if (edited !== undefined && parsesTo(edited, format, next)) {
    return { text: edited, commentsLost: false };
  }
  if (format === 'toml') {
    const text = stringifyToml(plain(next) as Record<string, unknown>);
    return {
      text: text.endsWith('\n') ? text : `${text}\n`,
      commentsLost: hasTomlComments(previous),
    };
  }
  // A YAML comment starts a line or follows a blank; a '#' elsewhere is part of a value.
  return { text: stringifyYaml(plain(next)), commentsLost: /(^|\s)#/m.test(previous) };
}

export interface WriteOptions {
  /** Written beside the file as `<file>.bak` first (the old text, when a rewrite drops comments). */
  backup?: string;
  /** The new content holds secrets: a file readable by others is made private (0600). */
  holdsSecrets: boolean;
}

export interface WriteOutcome {
  /** The file written (a symlink's target). */
  file: string;
  created: boolean;
  mode: number;
  /** Set when an existing file readable by group or others was made private. */
  madePrivate: boolean;
  backup?: string;
}

/** Replaces the file atomically (temp file + rename); a new file is created with mode 0600. */
export function writeConfigText(file: string, text: string, options: WriteOptions): WriteOutcome {
  const exists = fs.existsSync(file);
  const target = exists ? fs.realpathSync(file) : file;
  fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
  const current = exists ? fs.statSync(target).mode & 0o777 : 0o600;
  const madePrivate = options.holdsSecrets && (current & 0o077) !== 0;
  const mode = madePrivate ? 0o600 : current;
  let backup: string | undefined;
  if (options.backup !== undefined && exists) {
    backup = `${target}.bak`;
    fs.writeFileSync(backup, options.backup, { mode: 0o600 });
    fs.chmodSync(backup, 0o600);
  }
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(temp, text, { mode });
    fs.chmodSync(temp, mode);
    fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
  return {
    file: target,
    created: !exists,
    mode,
    madePrivate,
    ...(backup === undefined ? {} : { backup }),
  };
}
