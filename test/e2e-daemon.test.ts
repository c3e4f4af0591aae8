// E2E: the daemon's lifecycle through the built bins: start in the background, one daemon per data
// dir (lock), status, stop, the token file, and the open vs authenticated endpoints.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createLooperEnv,
  type LooperEnv,
  looperdBin,
  runNode,
  waitForOutput,
} from './support/looper-harness.js';

let env: LooperEnv | undefined;
afterEach(async () => {
  await env?.cleanup();
  env = undefined;
});

interface DaemonReport {
  running: boolean;
  pid: number | null;
  url: string;
  data_dir: string;
  log_file: string;
  version?: string;
  started?: boolean;
}

/** Alive and not a zombie (a detached daemon's parent is PID 1, which may never reap it). */
function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 1).trim()[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Resolves once `pid` has exited (polls /proc: the daemon is not our child, so no 'exit' event). */
async function waitForExit(pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`pid ${pid} still runs after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('looperd lifecycle', () => {
  it('starts in the background, refuses a second daemon on the data dir, and stops', async () => {
    env = await createLooperEnv();

    const start = await env.json<DaemonReport>(['daemon', 'start']);
    expect(start.code).toBe(0);
    expect(start.data).toMatchObject({ running: true, url: env.url, data_dir: env.home });
    const pid = start.data.pid as number;
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid)).toBe(true);
    expect(fs.readFileSync(path.join(env.home, 'looperd.lock'), 'utf8').trim()).toBe(String(pid));

    // The token is private to its owner.
    const tokenFile = path.join(env.home, 'token');
    expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(env.token().length).toBeGreaterThanOrEqual(32);

    // Starting again is a no-op that names the running daemon.
    const again = await env.json<DaemonReport>(['daemon', 'start']);
    expect(again.code).toBe(0);
    expect(again.data).toMatchObject({ running: true, pid, started: false });

    // A second looperd on the same data dir (on another port) refuses, naming the lock and pid.
    const second = await runNode([looperdBin], { ...env.env, LOOPER_SERVER_PORT: '0' });
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(`another looperd (pid ${pid})`);
    expect(second.stderr).toContain(path.join(env.home, 'looperd.lock'));
    expect(isAlive(pid)).toBe(true);
    expect(fs.readFileSync(path.join(env.home, 'looperd.lock'), 'utf8').trim()).toBe(String(pid));

    const status = await env.json<DaemonReport>(['daemon', 'status']);
    expect(status.code).toBe(0);
    expect(status.data).toMatchObject({
      running: true,
      pid,
      url: env.url,
      data_dir: env.home,
      log_file: path.join(env.home, 'logs', 'daemon.log'),
    });
    expect(status.data.version).toMatch(/^\d+\.\d+\.\d+/);

    const health = await fetch(`${env.url}/api/v1/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, data: { status: 'ok' } });

    const stop = await env.cli(['daemon', 'stop']);
    expect(stop.code).toBe(0);
    expect(stop.stdout + stop.stderr).toContain(`stopped looperd (pid ${pid})`);
    await expect(fetch(`${env.url}/api/v1/healthz`)).rejects.toThrow();
    expect(fs.existsSync(path.join(env.home, 'looperd.lock'))).toBe(false);
    await waitForExit(pid);

    const after = await env.json<DaemonReport>(['daemon', 'status']);
    expect(after.code).toBe(1);
    expect(after.data).toMatchObject({ running: false, pid: null });
  });

  it('serves /healthz without a token; /shutdown needs it and then stops the daemon', async () => {
    env = await createLooperEnv();
    const daemon = env.spawnDaemon();
    const exited = new Promise<number | null>((resolve) => daemon.once('exit', resolve));
    await waitForOutput(daemon, /listening on http:\/\/127\.0\.0\.1:\d+/);

    const health = await fetch(`${env.url}/api/v1/healthz`);
    expect(health.status).toBe(200);

    const shutdown = `${env.url}/api/v1/shutdown`;
    const anonymous = await fetch(shutdown, { method: 'POST' });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const wrong = await fetch(shutdown, {
      method: 'POST',
      headers: { authorization: 'Bearer not-the-token' },
    });
    expect(wrong.status).toBe(401);
    // Refused requests left it running.
    expect((await fetch(`${env.url}/api/v1/healthz`)).status).toBe(200);
    expect(daemon.exitCode).toBeNull();

    const accepted = await fetch(shutdown, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.token()}` },
    });
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toEqual({ ok: true, data: { stopping: true } });
    expect(await exited).toBe(0);
    await expect(fetch(`${env.url}/api/v1/healthz`)).rejects.toThrow();
    expect(fs.existsSync(path.join(env.home, 'looperd.lock'))).toBe(false);
  });

  it('`daemon stop` returns only once the lock is released, even with a request in flight', async () => {
    env = await createLooperEnv();
    const start = await env.json<DaemonReport>(['daemon', 'start']);
    expect(start.code).toBe(0);
    const pid = start.data.pid as number;
    // A client that sent half a request: the server waits for it (up to its grace) after it
    // stopped listening, so /healthz is refused while the old daemon still holds the data dir.
    const socket = net.connect(env.port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(`GET /api/v1/healthz HTTP/1.1\r\nHost: 127.0.0.1:${env.port}\r\n`);

    const stop = await env.cli(['daemon', 'stop']);
    socket.destroy();
    expect(stop.code).toBe(0);
    expect(fs.existsSync(path.join(env.home, 'looperd.lock'))).toBe(false);

    // So a new daemon can start on the data dir right away.
    const restart = await env.json<DaemonReport>(['daemon', 'start']);
    expect(restart.code).toBe(0);
    expect(restart.data.started).toBe(true);
    expect(restart.data.pid).not.toBe(pid);
    await waitForExit(pid);
  });
});
