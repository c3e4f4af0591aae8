// Runs one `git` child process with a clean environment and a timeout; every git call in Looper
// goes through here so stderr tails, exit codes and kills are handled in one place.
import { spawn } from 'node:child_process';
import { LooperError } from '../domain/index.js';

export interface GitRunOptions {
  cwd: string;
  timeoutMs: number;
  /** Extra variables on top of the clean base environment (e.g. author identity). */
  env?: Record<string, string>;
  /** Written to stdin, then stdin is closed. */
  input?: string;
  /** Exit codes that are answers rather than failures (e.g. 1 for `diff --quiet`). */
  okCodes?: readonly number[];
}

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Variables passed through from the caller; everything else (GIT_DIR, GIT_INDEX_FILE, …) is dropped. */
const passThrough = ['PATH', 'HOME', 'USER', 'LOGNAME', 'TMPDIR', 'SSH_AUTH_SOCK'] as const;
const maxStdoutBytes = 64 * 1024 * 1024;
const stderrTailChars = 4000;

export function cleanGitEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of passThrough) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return {
    ...env,
    LC_ALL: 'C',
    LANG: 'C',
    GIT_TERMINAL_PROMPT: '0',
    // Reads (status, diff) must not take the index lock and race a concurrent writer.
    GIT_OPTIONAL_LOCKS: '0',
    ...extra,
  };
}

export function tail(text: string, chars = stderrTailChars): string {
  return text.length <= chars ? text.trim() : text.slice(-chars).trim();
}

/** Runs git and resolves with its exit code; rejects only when git cannot run or times out. */
export function runGitRaw(args: readonly string[], options: GitRunOptions): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    // Own process group so a timeout also kills hooks or helpers git started.
    const child = spawn('git', [...args], {
      cwd: options.cwd,
      env: cleanGitEnv(options.env),
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let timedOut = false;
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes <= maxStdoutBytes) out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err = tail(err + chunk.toString('utf8'), stderrTailChars * 2);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(
        new LooperError('git_failed', `could not run git: ${error.message}`, {
          cause: error,
          details: { args: redactArgs(args) },
        }),
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) {
        reject(
          new LooperError('git_failed', `git ${subcommand(args)} timed out`, {
            details: { args: redactArgs(args), timeoutMs: options.timeoutMs, stderr: tail(err) },
          }),
        );
        return;
      }
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: err });
    });
    child.stdin.on('error', () => {
      // git may exit before reading stdin; its exit code tells the story.
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs git and throws LooperError('git_failed') with the stderr tail on an unexpected exit code. */
export async function runGit(args: readonly string[], options: GitRunOptions): Promise<GitResult> {
  const result = await runGitRaw(args, options);
  const ok = options.okCodes ?? [];
  if (result.code !== 0 && !ok.includes(result.code)) {
    throw new LooperError('git_failed', `git ${subcommand(args)} failed (exit ${result.code})`, {
      details: { args: redactArgs(args), exitCode: result.code, stderr: tail(result.stderr) },
    });
  }
  return result;
}

/** The git subcommand for messages: the first argument that is not a `-c key=value` option. */
function subcommand(args: readonly string[]): string {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '-c' || arg === '-C') {
      i += 1;
      continue;
    }
    if (!arg.startsWith('-')) return arg;
  }
  return '';
}

/** `-c user.email=…` style arguments are harmless, but URLs may carry credentials. */
function redactArgs(args: readonly string[]): string[] {
  return args.map((arg) => arg.replace(/\/\/[^/@\s]+@/g, '//***@'));
}
