// Shared by the config tests: a fresh home directory per test, files written into it, and
// loadConfig run against it with an empty environment (the real user's env never leaks in).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { isLooperError, type LooperError } from '../domain/index.js';
import { type LoadConfigOptions, loadConfig } from './index.js';

export interface ConfigHome {
  /** The current test's home directory. */
  readonly home: string;
  write(relative: string, text: string, mode?: number): string;
  load(options?: LoadConfigOptions): ReturnType<typeof loadConfig>;
  failure(options?: LoadConfigOptions): LooperError;
}

/** Call at the top of a test file: registers the hooks that make and remove the home dir. */
export function useConfigHome(): ConfigHome {
  let home = '';
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'looper-'));
  });
  afterEach(() => {
    fs.rmSync(home, { recursive: true, force: true });
  });
  const load = (options: LoadConfigOptions = {}) =>
    loadConfig({ env: {}, homeDir: home, platform: 'linux', ...options });
  return {
    get home() {
      return home;
    },
    write(relative, text, mode = 0o600) {
      const file = path.join(home, relative);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      fs.chmodSync(file, mode);
      return file;
    },
    load,
    failure(options = {}) {
      try {
        load(options);
      } catch (error) {
        if (isLooperError(error)) return error;
        throw error;
      }
      throw new Error('expected loadConfig to throw');
    },
  };
}
