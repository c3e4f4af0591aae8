// Runs one child process in its own process group with wall and idle timeouts, cancellation, a
// capped in-memory tail and a streamed log. Agents and project checks both run through it.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LineSplitter, TailBuffer } from './output-buffers.js';
import { isProcessGroupAlive, killProcessGroup } from './process-group.js';

export interface ProcessSpec {
  command: string;
  args: string[];
  cwd: string;
  /** The complete environment: nothing is inherited from the daemon. */
  env: Record<string, string>;
  /** Written to the child's stdin, which is then closed; when absent stdin is at EOF. */
  stdin?: string;
  /** Wall-clock limit. */
  timeoutMs: number;
  /** Kill when neither stdout nor stderr produced output for this long (0 disables). */
  idleTimeoutMs: number;
  /** Time between SIGTERM and SIGKILL to the group; default 5000. */
  killGraceMs?: number;
  /** stdout and stderr lines are appended here as they arrive; parent directories are created. */
  logPath?: string;
  /** Values replaced by `***` in the log, the lines handed to onLine and the kept tails. */
  redact?: readonly string[];
  /** Cap of each kept output stream; the tail is kept. Default 1 MiB. */
  maxBufferBytes?: number;
  signal?: AbortSignal;
  /** Called with every complete output line. Must not throw (errors are swallowed). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  onSpawn?: (pid: number) => void;
}

export type ProcessStatus =
  | 'exited'
  | 'timed_out'
  | 'idle_timed_out'
  | 'cancelled'
  | 'spawn_failed';

export interface ProcessResult {
  status: ProcessStatus;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  stdout: string;
  stderr: string;
  truncated: boolean;
  spawnError?: string;
}

type KillReason = 'timed_out' | 'idle_timed_out' | 'cancelled';
type Stream = 'stdout' | 'stderr';

const DEFAULT_KILL_GRACE_MS = 5000;
const DEFAULT_MAX_BUFFER_BYTES = 1024 * 1024;
const POLL_MS = 25;
/** How long a pipe held open by a process outside the group may delay the result. */
const DRAIN_MS = 200;

export function runProcess(spec: ProcessSpec): Promise<ProcessResult> {
  return new Promise((resolve) => new Execution(spec, resolve).start());
}

class Execution {
  private readonly started = performance.now();
  private child: ChildProcess | undefined;
  private pid = 0;
  private reason: KillReason | null = null;
  private exit: { code: number | null; signal: string | null } | null = null;
  private closed = false;
  private done = false;
  private terminating = false;
  private polling = false;
  private groupGoneAt: number | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private idleTimer: NodeJS.Timeout | undefined;
  private log: fs.WriteStream | undefined;
  private readonly tails: Record<Stream, TailBuffer>;
  private readonly lines: Record<Stream, LineSplitter>;
  private readonly onAbort = () => this.kill('cancelled');

  constructor(
    private readonly spec: ProcessSpec,
    private readonly resolve: (result: ProcessResult) => void,
  ) {
    const cap = spec.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES;
    this.tails = { stdout: new TailBuffer(cap), stderr: new TailBuffer(cap) };
    this.lines = {
      stdout: new LineSplitter((line) => this.emitLine(line, 'stdout')),
      stderr: new LineSplitter((line) => this.emitLine(line, 'stderr')),
    };
  }

  start(): void {
    const { spec } = this;
    if (spec.signal?.aborted) {
      this.reason = 'cancelled';
      void this.finish(); // nothing was started; finish only builds the result
      return;
    }
    if (!fs.existsSync(spec.cwd)) {
      this.spawnFailed(`working directory not found: ${spec.cwd}`);
      return;
    }
    this.openLog();
    let child: ChildProcess;
    try {
      child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        detached: true,
        stdio: [spec.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (err) {
      this.spawnFailed(messageOf(err));
      return;
    }
    this.child = child;
    child.once('error', (err) => {
      if (child.pid === undefined) this.spawnFailed(messageOf(err));
    });
    if (child.pid === undefined) return; // the 'error' event reports the failure
    this.pid = child.pid;
    this.attach(child);
  }

  private attach(child: ChildProcess): void {
    const { spec } = this;
    child.stdout?.on('data', (chunk: Buffer) => this.onOutput(chunk, 'stdout'));
    child.stderr?.on('data', (chunk: Buffer) => this.onOutput(chunk, 'stderr'));
    child.once('exit', (code, signal) => this.onExit(code, signal));
    child.once('close', () => {
      this.closed = true;
      this.check();
    });
    if (child.stdin) {
      child.stdin.on('error', () => {}); // EPIPE when the child ignores its input is not our failure
      child.stdin.end(spec.stdin);
    }
    this.later(() => this.kill('timed_out'), spec.timeoutMs);
    if (spec.idleTimeoutMs > 0) {
      this.idleTimer = this.later(() => this.kill('idle_timed_out'), spec.idleTimeoutMs);
    }
    spec.signal?.addEventListener('abort', this.onAbort, { once: true });
    try {
      spec.onSpawn?.(this.pid);
    } catch {
      // an observer's failure must not leave the child unmanaged
    }
  }

  private onOutput(chunk: Buffer, stream: Stream): void {
    this.idleTimer?.refresh();
    this.tails[stream].push(chunk);
    this.lines[stream].push(chunk);
  }

  private emitLine(raw: string, stream: Stream): void {
    const line = this.redact(raw);
    // Logged by whole lines so that a secret split across two reads is still redacted.
    this.log?.write(`${line}\n`);
    try {
      this.spec.onLine?.(line, stream);
    } catch {
      // parsers are observers; a bad line must not break process accounting
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exit = { code, signal };
    // Whatever the leader left running in its group dies with the run.
    if (isProcessGroupAlive(this.pid)) this.terminate();
    this.startPolling();
  }

  private kill(reason: KillReason): void {
    if (this.done || this.exit || this.reason) return;
    this.reason = reason;
    this.terminate();
    this.startPolling();
  }

  private terminate(): void {
    if (this.terminating) return;
    this.terminating = true;
    killProcessGroup(this.pid, 'SIGTERM');
    const grace = this.spec.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    this.later(() => killProcessGroup(this.pid, 'SIGKILL'), grace);
  }

  /** Resolves once the leader has exited and its group is gone, without waiting on stray pipes. */
  private startPolling(): void {
    if (this.polling) return;
    this.polling = true;
    const poll = () => {
      if (!this.check()) this.later(poll, POLL_MS);
    };
    poll();
  }

  private check(): boolean {
    if (this.done) return true;
    if (!this.exit) return false;
    if (this.closed && !isProcessGroupAlive(this.pid)) {
      void this.finish(); // resolves the run's promise; nothing awaits this call
      return true;
    }
    if (isProcessGroupAlive(this.pid)) return false;
    const now = performance.now();
    this.groupGoneAt ??= now;
    if (now - this.groupGoneAt < DRAIN_MS) return false;
    // One more I/O phase reads what is already buffered before the streams are dropped.
    setImmediate(() => void this.finish());
    return true;
  }

  private spawnFailed(message: string): void {
    if (this.done) return;
    void this.finish(message); // resolves the run's promise; nothing awaits this call
  }

  private async finish(spawnError?: string): Promise<void> {
    if (this.done) return;
    this.done = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.spec.signal?.removeEventListener('abort', this.onAbort);
    this.child?.stdout?.destroy();
    this.child?.stderr?.destroy();
    this.lines.stdout.end();
    this.lines.stderr.end();
    if (this.log) {
      const log = this.log;
      await new Promise<void>((done) => log.end(() => done()));
    }
    const stdout = this.redact(this.tails.stdout.text());
    const stderr = this.redact(this.tails.stderr.text());
    const status: ProcessStatus =
      spawnError !== undefined ? 'spawn_failed' : (this.reason ?? 'exited');
    this.resolve({
      status,
      exitCode: this.exit?.code ?? null,
      signal: this.exit?.signal ?? null,
      durationMs: Math.round(performance.now() - this.started),
      stdout,
      stderr,
      truncated: this.tails.stdout.truncated || this.tails.stderr.truncated,
      ...(spawnError !== undefined ? { spawnError } : {}),
    });
  }

  private openLog(): void {
    const { logPath } = this.spec;
    if (!logPath) return;
    try {
      fs.mkdirSync(path.dirname(logPath), { recursive: true });
      this.log = fs.createWriteStream(logPath, { flags: 'a' });
      this.log.on('error', () => {
        this.log = undefined; // a full disk must not kill the agent; the tail is still kept
      });
    } catch {
      this.log = undefined;
    }
  }

  private redact(text: string): string {
    let out = text;
    for (const secret of this.spec.redact ?? []) {
      if (secret) out = out.split(secret).join('***');
    }
    return out;
  }

  private later(fn: () => void, ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
    return timer;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
