// End-to-end harness: runs the BUILT bins (dist/looper.js, dist/looperd.js; `npm test` builds first)
// as real child processes against a temp data dir and a free port, and cleans up every daemon it
// started. Nothing of Looper's own is mocked here.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const looperBin = path.join(repoRoot, 'dist', 'looper.js');
export const looperdBin = path.join(repoRoot, 'dist', 'looperd.js');
export const demoAgentBin = path.join(repoRoot, 'dist', 'demo-agent.js');
export const claudeBin = path.join(repoRoot, 'node_modules', '.bin', 'claude');

export function tempDir(prefix = 'looper-e2e-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  });
}

/** A git repository from a map of files, committed on `main`. */
export function makeRepo(files: Record<string, string>): string {
  const repo = tempDir('looper-repo-');
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(repo, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, '-c', 'user.name=Test', '-c', 'user.email=test@localhost', 'add', '-A');
  git(
    repo,
    '-c',
    'user.name=Test',
    '-c',
    'user.email=test@localhost',
    'commit',
    '-q',
    '-m',
    'initial',
  );
  return repo;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One Looper installation for a test: its own data dir, port and environment. */
export interface LooperEnv {
  home: string;
  port: number;
  url: string;
  env: NodeJS.ProcessEnv;
  /** Runs `looper <args>` to completion. */
  cli(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<CliResult>;
  /** Runs `looper <args>` with `--json` and parses stdout. */
  json<T = Record<string, unknown>>(
    args: string[],
    extraEnv?: NodeJS.ProcessEnv,
  ): Promise<{ code: number; data: T; stderr: string }>;
  /** Starts `looperd` in the foreground as a child process (for crash tests). */
  spawnDaemon(extraEnv?: NodeJS.ProcessEnv): ChildProcess;
  token(): string;
  /** Stops any daemon on this data dir; safe to call twice. */
  cleanup(): Promise<void>;
}

export function runNode(
  args: string[],
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/**
 * A fresh Looper environment. Config comes only from env vars and `configToml` (written to a file
 * named by LOOPER_CONFIG), never from the user's real ~/.looper or XDG dirs.
 */
export async function createLooperEnv(
  options: { env?: NodeJS.ProcessEnv; configToml?: string } = {},
): Promise<LooperEnv> {
  const home = tempDir('looper-home-');
  const port = await freePort();
  const xdg = path.join(home, 'xdg');
  fs.mkdirSync(xdg);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: process.env.LANG ?? 'C.UTF-8',
    TMPDIR: process.env.TMPDIR,
    LOOPER_HOME: home,
    XDG_CONFIG_HOME: xdg,
    LOOPER_SERVER_PORT: String(port),
    ...options.env,
  };
  if (options.configToml !== undefined) {
    const file = path.join(home, 'config.toml');
    fs.writeFileSync(file, options.configToml);
    env.LOOPER_CONFIG = file;
  }
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const daemons: ChildProcess[] = [];
  const looper: LooperEnv = {
    home,
    port,
    url: `http://127.0.0.1:${port}`,
    env,
    cli: (args, extraEnv) => runNode([looperBin, ...args], { ...env, ...extraEnv }),
    async json(args, extraEnv) {
      const result = await looper.cli([...args, '--json'], extraEnv);
      let data: unknown;
      try {
        data = JSON.parse(result.stdout);
      } catch {
        throw new Error(
          `looper ${args.join(' ')} --json printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`,
        );
      }
      return { code: result.code, data: data as never, stderr: result.stderr };
    },
    spawnDaemon(extraEnv) {
      const child = spawn(process.execPath, [looperdBin], {
        env: { ...env, ...extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      daemons.push(child);
      return child;
    },
    token: () => fs.readFileSync(path.join(home, 'token'), 'utf8').trim(),
    async cleanup() {
      await looper.cli(['daemon', 'stop']);
      for (const child of daemons)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      killDaemonOf(home);
    },
  };
  return looper;
}

/** Kills a daemon left on a data dir (its pid is in the lock file). */
function killDaemonOf(home: string): void {
  const lock = path.join(home, 'looperd.lock');
  if (!fs.existsSync(lock)) return;
  const pid = Number.parseInt(fs.readFileSync(lock, 'utf8'), 10);
  if (!Number.isInteger(pid)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Resolves when `predicate` holds for a line of the child's stderr/stdout (e.g. "listening on"). */
export function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) {
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        resolve(match[0]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`process exited (${code}) before printing ${pattern}:\n${seen}`)),
    );
  });
}

/** The demo's deterministic agent as the `custom` vendor. */
export function demoAgentEnv(): NodeJS.ProcessEnv {
  return {
    LOOPER_AGENT_VENDOR: 'custom',
    LOOPER_VENDORS_CUSTOM_COMMAND: process.execPath,
    LOOPER_VENDORS_CUSTOM_ARGS: JSON.stringify([demoAgentBin]),
  };
}
