// E2E: the operational side of a real looperd through the built bins: `daemon restart` and `daemon
// logs [-f]`, the node it registers (stopped at shutdown), `/metrics` (with GitHub's rate limit from
// the emulator's headers) and `/openapi.json`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from './support/github-loop-world.js';
import { eventually } from './support/loop-events.js';
import {
  createLooperEnv,
  type LooperEnv,
  looperBin,
  waitForOutput,
} from './support/looper-harness.js';

let env: LooperEnv | undefined;
let world: World | undefined;
afterEach(async () => {
  await env?.cleanup();
  env = undefined;
  await world?.close();
  world = undefined;
});

interface DaemonReport {
  running: boolean;
  pid: number | null;
  restarted?: boolean;
  previous_pid?: number | null;
}

interface NodeView {
  id: string;
  name: string;
  version: string;
  capacity: number;
  started_at: string;
  stopped_at: string | null;
  alive: boolean;
  current: boolean;
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

async function nodes(looper: LooperEnv): Promise<NodeView[]> {
  const res = await fetch(`${looper.url}/api/v1/nodes`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: NodeView[] }).data;
}

describe('looperd operations', () => {
  it('restarts: stops the running daemon, waits for its lock, starts a new one', async () => {
    env = await createLooperEnv({ env: { LOOPER_DAEMON_MAX_CONCURRENT_LOOPS: '3' } });
    const looper = env;

    // Not running: restart starts it.
    const first = await looper.json<DaemonReport>(['daemon', 'restart']);
    expect(first.code).toBe(0);
    expect(first.data).toMatchObject({ running: true, restarted: false, previous_pid: null });
    const pid = first.data.pid as number;

    const [registered] = await nodes(looper);
    expect(registered).toMatchObject({ capacity: 3, alive: true, current: true, stopped_at: null });
    expect(registered?.version).toMatch(/^\d+\.\d+\.\d+/);

    const second = await looper.json<DaemonReport>(['daemon', 'restart']);
    expect(second.code).toBe(0);
    expect(second.data).toMatchObject({ running: true, restarted: true, previous_pid: pid });
    const newPid = second.data.pid as number;
    expect(newPid).not.toBe(pid);
    expect(isAlive(newPid)).toBe(true);
    // `restart` returned after the old daemon let go of the data dir's lock.
    expect(fs.readFileSync(path.join(looper.home, 'looperd.lock'), 'utf8').trim()).toBe(
      String(newPid),
    );

    // Same node (its id belongs to the data dir), registered again.
    const after = await nodes(looper);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: registered?.id, alive: true, stopped_at: null });
    expect(Date.parse(after[0]?.started_at ?? '')).toBeGreaterThanOrEqual(
      Date.parse(registered?.started_at ?? ''),
    );

    // A graceful stop marks the node stopped in the store.
    expect((await looper.cli(['daemon', 'stop'])).code).toBe(0);
    const db = new Database(path.join(looper.home, 'looper.db'), { readonly: true });
    try {
      const row = db.prepare('select stopped_at from nodes where id = ?').get(registered?.id) as {
        stopped_at: number | null;
      };
      expect(row.stopped_at).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it('serves /metrics as Prometheus text and /openapi.json', async () => {
    env = await createLooperEnv();
    expect((await env.cli(['daemon', 'start'])).code).toBe(0);
    const metrics = await fetch(`${env.url}/api/v1/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    expect(text).toMatch(/^looper_build_info\{version="\d+\.\d+\.\d+",nodejs="v\d+/m);
    expect(text).toContain('looper_loops{stage="queued"} 0\n');
    expect(text).toContain('looper_runs_running 0\n');
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);

    const doc = await fetch(`${env.url}/api/v1/openapi.json`);
    expect(doc.status).toBe(200);
    const body = (await doc.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(body.openapi).toBe('3.1.0');
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/metrics', '/api/v1/nodes', '/webhooks/github']),
    );
  });

  it("shows GitHub's rate limit as the gateway's responses reported it", async () => {
    world = await startWorld();
    const { url } = world.env;
    // At start the daemon creates its labels on the watched repository: GitHub has answered then.
    const text = await eventually(
      async () => (await fetch(`${url}/api/v1/metrics`)).text(),
      (body) => body.includes('looper_github_rate_limit_remaining{resource="core"}'),
    );
    expect(text).toMatch(/^looper_github_rate_limit_remaining\{resource="core"\} \d+$/m);
    expect(text).toMatch(/^looper_github_rate_limit_limit\{resource="core"\} \d+$/m);
  });

  it('prints the daemon log readably, as JSON lines with --json, and follows it', async () => {
    env = await createLooperEnv();
    const looper = env;
    expect((await looper.cli(['daemon', 'start'])).code).toBe(0);

    const human = await looper.cli(['daemon', 'logs']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z INFO {2}looperd started /m,
    );

    const json = await looper.cli(['daemon', 'logs', '--json', '--lines', '3']);
    expect(json.code).toBe(0);
    const entries = json.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.length).toBeLessThanOrEqual(3);
    expect(entries).toContainEqual(expect.objectContaining({ level: 30, msg: 'looperd started' }));

    const output = await looper.cli(['daemon', 'logs', '--output']);
    expect(output.stdout).toContain(`listening on ${looper.url}`);

    // -f: the last line first (so the follower has found the end of the file), then what is appended.
    const follower = spawn(
      process.execPath,
      [looperBin, 'daemon', 'logs', '-f', '--json', '-n', '1'],
      {
        env: looper.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) => follower.once('exit', resolve));
    await waitForOutput(follower, /"level":\d+/);
    const stopped = waitForOutput(follower, /"msg":"looperd stopped"/);
    expect((await looper.cli(['daemon', 'stop'])).code).toBe(0);
    await stopped;
    follower.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('refuses a bad --lines as a usage error', async () => {
    env = await createLooperEnv();
    const result = await env.cli(['daemon', 'logs', '--lines', 'many']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--lines must be a whole number');
  });
});
