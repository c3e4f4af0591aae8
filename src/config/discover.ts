// Finds the data directory and the one config file Looper reads: an explicit file, then
// $LOOPER_CONFIG, the XDG and platform config dirs, then the data dir.

import fs from 'node:fs';
import path from 'node:path';
import type { ConfigIssue } from './issues.js';

export const configFileNames = ['looper.toml', 'looper.yaml', 'looper.yml', 'looper.json'] as const;

export interface LocateOptions {
  env: NodeJS.ProcessEnv;
  homeDir: string;
  platform: NodeJS.Platform;
}

export type Discovery =
  | { ok: true; file: string | null; ignored: string[] }
  | { ok: false; issues: ConfigIssue[] };

export function expandHome(value: string, homeDir: string): string {
  if (value === '~') return homeDir;
  if (value.startsWith('~/')) return path.join(homeDir, value.slice(2));
  return value;
}

/** `$LOOPER_HOME`, else `~/.looper`. */
export function resolveDataDir(options: Omit<LocateOptions, 'platform'>): string {
  const fromEnv = options.env.LOOPER_HOME;
  if (fromEnv) return path.resolve(expandHome(fromEnv, options.homeDir));
  return path.join(options.homeDir, '.looper');
}

/** `$XDG_CONFIG_HOME/looper` (XDG ignores relative values), else `~/.config/looper`. */
function xdgConfigDir({ env, homeDir }: LocateOptions): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(homeDir, '.config');
  return path.join(base, 'looper');
}

function platformConfigDir({ env, homeDir, platform }: LocateOptions): string | undefined {
  if (platform === 'darwin') return path.join(homeDir, 'Library', 'Application Support', 'looper');
  if (platform === 'win32') {
    return path.join(env.APPDATA || path.join(homeDir, 'AppData', 'Roaming'), 'looper');
  }
  return undefined; // Linux and the BSDs: the XDG directory is the platform one.
}

/** The directories searched for `looper.{toml,yaml,yml,json}`, in order. */
export function configDirs(options: LocateOptions, dataDir: string): string[] {
  const dirs = [xdgConfigDir(options), platformConfigDir(options), dataDir];
  return [...new Set(dirs.filter((dir): dir is string => dir !== undefined))];
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function filesIn(dir: string): string[] {
  return configFileNames.map((name) => path.join(dir, name)).filter(isFile);
}

function named(file: string, why: string): Discovery {
  const absolute = path.resolve(file);
  if (isFile(absolute)) return { ok: true, file: absolute, ignored: [] };
  let found: string[] = [];
  try {
    if (fs.statSync(absolute).isDirectory()) found = filesIn(absolute);
  } catch {
    // Missing: reported below.
  }
  if (found[0] !== undefined) return { ok: true, file: found[0], ignored: [] };
  const reason = `no config file there (named by ${why})`;
  return { ok: false, issues: [{ file: absolute, key: '', reason }] };
}

/**
 * The config file to read, or null when there is none (defaults serve), and the other files the
 * search found but skips. A file named by `explicit` or `$LOOPER_CONFIG` must exist.
 */
export function discoverConfigFile(
  options: LocateOptions & { explicit?: string },
  dataDir: string,
): Discovery {
  if (options.explicit !== undefined) return named(options.explicit, 'the --config option');
  const fromEnv = options.env.LOOPER_CONFIG;
  if (fromEnv) return named(expandHome(fromEnv, options.homeDir), 'LOOPER_CONFIG');
  const found = configDirs(options, dataDir).flatMap(filesIn);
  const [file, ...ignored] = found;
  return { ok: true, file: file ?? null, ignored };
}
