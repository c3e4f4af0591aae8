import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ProcessSpec, runProcess } from './executor.js';
import { isProcessGroupAlive, killProcessGroup, processStartTime } from './process-group.js';

const env = { PATH: '/usr/local/bin:/usr/bin:/bin' };

function spec(overrides: Partial<ProcessSpec> & { args: string[] }): ProcessSpec {
  return {
    command: 'sh',
    cwd: os.tmpdir(),
    env,
    timeoutMs: 20_000,
    idleTimeoutMs: 20_000,
    ...overrides,
  };
}

/** A process is gone when /proc has no entry for it or only its zombie remains. */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /\) [ZX] /.test(stat);
  } catch {
    return true;
  }
}

describe('runProcess', () => {
  it('reports the exit code and output of a process that exits by itself', async () => {
    const result = await runProcess(spec({ args: ['-c', 'echo out; echo err >&2; exit 3'] }));

    expect(result).toMatchObject({ status: 'exited', exitCode: 3, signal: null, truncated: false });
    expect(result.stdout).toBe('out\n');
    expect(result.stderr).toBe('err\n');
  });

  it('kills the whole group on wall timeout even when a grandchild holds the pipe open', async () => {
    let leader = 0;
    let grandchild = 0;
    const started = Date.now();

    const result = await runProcess(
      spec({
        args: ['-c', 'sleep 100 & echo $!; sleep 100'],
        timeoutMs: 300,
        onSpawn: (pid) => {
          leader = pid;
        },
        onLine: (line) => {
          grandchild = Number(line);
        },
      }),
    );

    expect(result.status).toBe('timed_out');
    expect(result.signal).toBe('SIGTERM');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(grandchild).toBeGreaterThan(0);
    expect(isGone(grandchild)).toBe(true);
    expect(isGone(leader)).toBe(true);
    expect(isProcessGroupAlive(leader)).toBe(false);
  });

  it('kills what the leader leaves behind when it exits normally, without waiting on its pipe', async () => {
    let grandchild = 0;
    const started = Date.now();

    const result = await runProcess(
      spec({
        args: ['-c', 'sleep 100 & echo $!; exit 0'],
        onLine: (line) => {
          grandchild = Number(line);
        },
      }),
    );

    expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(isGone(grandchild)).toBe(true);
  });

  it('does not wait for a pipe held by a process that left the group', async () => {
    let escaped = 0;
    const started = Date.now();

    const result = await runProcess(
      spec({
        args: ['-c', 'setsid sleep 30 & echo $!; exit 0'],
        onLine: (line) => {
          escaped = Number(line);
        },
      }),
    );

    expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(escaped).toBeGreaterThan(0);
    process.kill(escaped, 'SIGKILL'); // it escaped our group on purpose; end it here
  });

  it('sends SIGKILL after the grace period to a group that ignores SIGTERM', async () => {
    const result = await runProcess(
      spec({
        args: ['-c', 'trap "" TERM; echo ready; sleep 100'],
        timeoutMs: 200,
        killGraceMs: 300,
      }),
    );

    expect(result.status).toBe('timed_out');
    expect(result.signal).toBe('SIGKILL');
    expect(result.durationMs).toBeGreaterThanOrEqual(450);
    expect(result.durationMs).toBeLessThan(3000);
  });

  it('kills a process that prints nothing for the idle timeout', async () => {
    const result = await runProcess(
      spec({ args: ['-c', 'echo first; sleep 100'], idleTimeoutMs: 300 }),
    );

    expect(result.status).toBe('idle_timed_out');
    expect(result.stdout).toBe('first\n');
    expect(result.durationMs).toBeLessThan(2000);
  });

  it('does not idle-kill a process that keeps printing', async () => {
    const result = await runProcess(
      spec({
        args: ['-c', 'for i in 1 2 3 4 5 6 7 8; do echo $i; sleep 0.1; done'],
        idleTimeoutMs: 500,
      }),
    );

    expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
    expect(result.stdout.trim().split('\n')).toHaveLength(8);
  });

  it('cancels through an AbortSignal', async () => {
    const controller = new AbortController();

    const result = await runProcess(
      spec({
        args: ['-c', 'echo ready; sleep 100'],
        signal: controller.signal,
        onLine: () => controller.abort(),
      }),
    );

    expect(result.status).toBe('cancelled');
    expect(result.durationMs).toBeLessThan(2000);
  });

  it('does not start a process when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    let spawned = false;

    const result = await runProcess(
      spec({ args: ['-c', 'exit 0'], signal: controller.signal, onSpawn: () => (spawned = true) }),
    );

    expect(result.status).toBe('cancelled');
    expect(spawned).toBe(false);
  });

  it('keeps only the tail of the output in memory but hands every line to onLine', async () => {
    const lines: string[] = [];

    const result = await runProcess(
      spec({
        command: 'seq',
        args: ['1', '20000'],
        maxBufferBytes: 1000,
        onLine: (line) => lines.push(line),
      }),
    );

    expect(result.truncated).toBe(true);
    expect(result.stdout.length).toBeLessThanOrEqual(1000);
    expect(result.stdout.endsWith('19999\n20000\n')).toBe(true);
    expect(lines).toHaveLength(20000);
    expect(lines.at(-1)).toBe('20000');
  });

  it('appends stdout and stderr to the log file, creating its directory', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'looper-'));
    const logPath = path.join(dir, 'logs', 'loop', 'run.log');
    fs.mkdirSync(path.dirname(logPath), { recursive: true });
    fs.writeFileSync(logPath, 'header\n');

    await runProcess(spec({ args: ['-c', 'echo to-out; echo to-err >&2'], logPath }));

    const log = fs.readFileSync(logPath, 'utf8');
    expect(log.startsWith('header\n')).toBe(true);
    expect(log).toContain('to-out\n');
    expect(log).toContain('to-err\n');
  });

  it('redacts the given values from the log, the lines and the tails', async () => {
    const logPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'looper-')), 'run.log');
    const lines: string[] = [];

    const result = await runProcess(
      spec({
        args: ['-c', 'echo "key=sk-secret-123"; echo "sk-secret-123" >&2'],
        logPath,
        redact: ['sk-secret-123'],
        onLine: (line) => lines.push(line),
      }),
    );

    expect(fs.readFileSync(logPath, 'utf8')).not.toContain('sk-secret-123');
    expect(lines).toContain('key=***');
    expect(result.stdout).toBe('key=***\n');
    expect(result.stderr).toBe('***\n');
  });

  it('writes stdin and closes it', async () => {
    const result = await runProcess(spec({ command: 'cat', args: [], stdin: 'hello\nworld' }));

    expect(result.stdout).toBe('hello\nworld');
  });

  it('gives a process without stdin an immediate end of file', async () => {
    const result = await runProcess(spec({ command: 'cat', args: [], timeoutMs: 5000 }));

    expect(result).toMatchObject({ status: 'exited', exitCode: 0, stdout: '' });
  });

  it('passes exactly the given environment', async () => {
    const result = await runProcess(
      spec({ command: 'env', args: [], env: { PATH: '/usr/bin:/bin', ONLY: 'this' } }),
    );

    expect(result.stdout.trim().split('\n').sort()).toEqual(['ONLY=this', 'PATH=/usr/bin:/bin']);
  });

  it('reports a command that cannot be started', async () => {
    const result = await runProcess(spec({ command: 'looper-no-such-command', args: [] }));

    expect(result.status).toBe('spawn_failed');
    expect(result.spawnError).toContain('ENOENT');
  });

  it('reports a missing working directory as a spawn failure', async () => {
    const result = await runProcess(spec({ args: ['-c', 'true'], cwd: '/nonexistent/looper' }));

    expect(result.status).toBe('spawn_failed');
    expect(result.spawnError).toContain('/nonexistent/looper');
  });
});

describe('process groups', () => {
  it('reads a live process start time and returns null for a missing one', () => {
    const own = processStartTime(process.pid);
    if (process.platform === 'linux') expect(own).toMatch(/^\d+$/);
    else expect(own).toBeNull();
    expect(processStartTime(2 ** 22 + 7)).toBeNull();
  });

  it('reports a group that does not exist', () => {
    expect(killProcessGroup(2 ** 22 + 7, 0)).toBe(false);
    expect(isProcessGroupAlive(2 ** 22 + 7)).toBe(false);
  });
});
