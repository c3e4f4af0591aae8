// What a command runs against: the process's environment and streams (CliIo), and the daemon it
// talks to (Target: URL, data dir, token) resolved from the layered config.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Clock } from '../domain/index.js';
import { ApiClient } from './client.js';
import { detailLines, type Output, type TextSink } from './output.js';

/** Everything a command takes from the process, so tests can pass their own. */
export interface CliIo {
  env: Record<string, string | undefined>;
  cwd: string;
  stdout: TextSink;
  stderr: TextSink;
  stdin: AsyncIterable<string | Uint8Array>;
  clock: Clock;
  /** The looperd script to spawn (dist/looperd.js, beside dist/looper.js). */
  daemonEntry: URL;
  /** The node binary that runs looperd. */
  execPath: string;
}

/** Options of the program itself, filled in by commander before an action runs. */
export interface GlobalOptions {
  /** `--config <file>`: the config file to read instead of discovering one. */
  config?: string;
}

/** What every command action receives. */
export interface CommandContext {
  io: CliIo;
  out: Output;
  globals: GlobalOptions;
}

/** What a command file's register function receives: the context and where the exit code goes. */
export interface CommandHost extends CommandContext {
  setExit(code: number): void;
}

export interface Target {
  /** `http://127.0.0.1:7391`. */
  baseUrl: string;
  dataDir: string;
  /** True when LOOPER_URL chose the daemon: no autostart, no data-dir check. */
  explicitUrl: boolean;
  /** The config file in use, if any. */
  configFile: string | undefined;
  tokenFile: string;
  /** Seconds looperd waits for running agents on shutdown (`daemon.shutdown-grace-secs`). */
  shutdownGraceSecs: number;
}

/** Loads the config (lazily: it pulls zod) and works out where the daemon is. */
export async function resolveTarget(
  io: CliIo,
  out: Output,
  globals: GlobalOptions = {},
): Promise<Target> {
  const { loadConfig } = await import('../config/index.js');
  const file = globals.config === undefined ? undefined : resolve(io.cwd, globals.config);
  const loaded = loadConfig({ env: io.env, ...(file === undefined ? {} : { file }) });
  for (const warning of detailLines(loaded.warnings)) out.info(`looper: warning: ${warning}`);
  const server = loaded.config.server;
  const override = io.env.LOOPER_URL?.trim();
  const explicitUrl = override !== undefined && override !== '';
  return {
    baseUrl: explicitUrl ? normaliseUrl(override) : serverUrl(server.host, server.port),
    dataDir: loaded.dataDir,
    explicitUrl,
    configFile: loaded.file ?? undefined,
    tokenFile: join(loaded.dataDir, 'token'),
    shutdownGraceSecs: loaded.config.daemon['shutdown-grace-secs'],
  };
}

/** `http://host:port` for a listen address; a wildcard listener is reached on loopback. */
export function serverUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const shown = reachable.includes(':') ? `[${reachable}]` : reachable;
  return `http://${shown}:${port}`;
}

function normaliseUrl(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
}

/** A client for the target; the token comes from LOOPER_TOKEN or `<dataDir>/token`. */
export function clientFor(target: Target, io: CliIo): ApiClient {
  const fromEnv = io.env.LOOPER_TOKEN?.trim();
  if (fromEnv !== undefined && fromEnv !== '') {
    return new ApiClient({
      baseUrl: target.baseUrl,
      token: async () => fromEnv,
      tokenSource: 'LOOPER_TOKEN',
    });
  }
  let cached: Promise<string | undefined> | undefined;
  const token = () => {
    cached ??= readFile(target.tokenFile, 'utf8').then(
      (text) => text.trim(),
      () => undefined,
    );
    return cached;
  };
  return new ApiClient({ baseUrl: target.baseUrl, token, tokenSource: target.tokenFile });
}

/** Reads all of stdin as text (for `--body-file -`). */
export async function readAll(input: AsyncIterable<string | Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of input) {
    text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}
