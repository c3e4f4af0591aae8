// End to end, graceful shutdown of looperd (SIGTERM): claiming stops, the running agent gets
// `daemon.shutdown-grace-secs`, then its process group is stopped, the loop stays at its stage and
// its queue entry returns to the queue; the next start resumes it to ready. A second signal exits at
// once, and the next start cleans up the agent left behind.
import { once } from 'node:events';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoopView } from '../src/api/index.js';
import { survivors } from './support/agent-scripts.js';
import { api, eventually, waitForFile, waitForStage } from './support/loop-events.js';
import {
  createLooperEnv,
  type LooperEnv,
  makeRepo,
  tempDir,
  waitForOutput,
} from './support/looper-harness.js';
import { killGroups, markerPath, readMarker, testAgentEnv } from './support/test-agent.js';

let env: LooperEnv | undefined;
const groups: number[] = [];
afterEach(async () => {
  await env?.cleanup();
  env = undefined;
  killGroups(groups);
});

/** What the store holds for the loop while no daemon runs. */
function stored(home: string, loopId: string) {
  const db = new Database(path.join(home, 'looper.db'), { readonly: true });
  try {
    const loop = db.prepare('select stage, paused from loops where id = ?').get(loopId);
    const entries = db
      .prepare('select status, lease_owner from queue_entries where loop_id = ? and status != ?')
      .all(loopId, 'done');
    const runs = db
      .prepare('select role, status from runs where loop_id = ? order by started_at')
      .all(loopId);
    return { loop, entries, runs };
  } finally {
    db.close();
  }
}

async function setUp(graceSecs: number) {
  const dir = tempDir('looper-shutdown-');
  const looper = await createLooperEnv({
    env: {
      ...testAgentEnv({ dir, blockRole: 'worker' }),
      LOOPER_DAEMON_SHUTDOWN_GRACE_SECS: String(graceSecs),
    },
  });
  env = looper;
  const daemon = looper.spawnDaemon();
  await waitForOutput(daemon, /listening on/);
  const repo = makeRepo({ 'README.md': '# sample\n' });
  const started = await looper.json<LoopView>([
    'run',
    '--repo',
    repo,
    '--title',
    'Survive a shutdown',
    '--check',
    'true',
  ]);
  expect(started.code).toBe(0);
  const loopId = started.data.id;
  const marker = markerPath(dir, 'worker', loopId);
  await waitForFile(marker, 30_000);
  const { pid } = readMarker(marker);
  groups.push(pid);
  return { looper, daemon, dir, loopId, pid };
}

describe('SIGTERM during a run', () => {
  it('stops the agent after the grace period, keeps the stage, and the next start ends ready', async () => {
    const { looper, daemon, dir, loopId, pid } = await setUp(1);
    const exited = once(daemon, 'exit');
    const sentAt = Date.now();

    daemon.kill('SIGTERM');
    const [code] = await exited;

    const tookMs = Date.now() - sentAt;
    expect(code).toBe(0);
    expect(tookMs).toBeGreaterThanOrEqual(900);
    expect(tookMs).toBeLessThan(15_000);
    expect(
      await eventually(
        () => survivors([pid], dir),
        (left) => left.length === 0,
      ),
    ).toEqual([]);
    expect(stored(looper.home, loopId)).toEqual({
      loop: { stage: 'working', paused: 0 },
      entries: [{ status: 'queued', lease_owner: null }],
      runs: [
        { role: 'planner', status: 'succeeded' },
        { role: 'plan_reviewer', status: 'succeeded' },
        { role: 'worker', status: 'cancelled' },
      ],
    });

    const second = looper.spawnDaemon();
    await waitForOutput(second, /listening on/);
    const events = await waitForStage(looper, loopId);

    expect(events.at(-1)?.data.to).toBe('ready');
    expect(events.filter((e) => e.type === 'run.interrupted')).toEqual([]);
    expect(events.filter((e) => e.type === 'step.failed')).toEqual([]);
    const loop = await api<LoopView>(looper, `/loops/${loopId}`);
    expect(loop.runs?.filter((r) => r.role === 'worker').map((r) => r.status)).toEqual([
      'cancelled',
      'succeeded',
    ]);
  });

  it('a second signal exits at once; the next start kills the agent left behind and resumes', async () => {
    const { looper, daemon, dir, loopId, pid } = await setUp(30);
    const exited = once(daemon, 'exit');
    const stopping = waitForOutput(daemon, /signal again to exit now/);
    const sentAt = Date.now();

    daemon.kill('SIGTERM');
    await stopping; // the first signal was taken (signals sent together may merge into one)
    daemon.kill('SIGTERM');
    const [code] = await exited;

    expect(Date.now() - sentAt).toBeLessThan(10_000);
    expect(code).toBe(130);
    // The agent outlived its daemon (its own process group) …
    expect(survivors([pid], dir).length).toBeGreaterThan(0);

    const second = looper.spawnDaemon();
    await waitForOutput(second, /listening on/);
    const events = await waitForStage(looper, loopId);

    // … and the next start killed it, marked its run interrupted and re-ran the worker.
    expect(
      await eventually(
        () => survivors([pid], dir),
        (left) => left.length === 0,
      ),
    ).toEqual([]);
    expect(events.at(-1)?.data.to).toBe('ready');
    const loop = await api<LoopView>(looper, `/loops/${loopId}`);
    const workers = loop.runs?.filter((r) => r.role === 'worker').map((r) => r.status);
    expect(workers?.at(-1)).toBe('succeeded');
    expect(workers?.slice(0, -1).every((s) => s === 'interrupted' || s === 'cancelled')).toBe(true);
  });
});
