// End to end, a person's control actions through the CLI and the API on the built bins: pause and
// cancel while an agent runs (its whole process group is gone afterwards, checked in /proc), resume,
// retry from needs_human, approve with `loop.approval = "label"`, and the 409 for refused actions.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoopView, WorktreeCleanupView, WorktreeView } from '../src/api/index.js';
import { survivors } from './support/agent-scripts.js';
import {
  api,
  apiCall,
  eventually,
  readEvents,
  waitForFile,
  waitForStage,
} from './support/loop-events.js';
import {
  createLooperEnv,
  type LooperEnv,
  makeRepo,
  tempDir,
  waitForOutput,
} from './support/looper-harness.js';
import {
  killGroups,
  markerPath,
  readMarker,
  type TestAgentOptions,
  testAgentEnv,
} from './support/test-agent.js';

let env: LooperEnv | undefined;
const groups: number[] = [];
afterEach(async () => {
  await env?.cleanup();
  env = undefined;
  killGroups(groups);
});

async function startLooper(
  agent: Omit<TestAgentOptions, 'dir'>,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<{ looper: LooperEnv; dir: string; repo: string }> {
  const dir = tempDir('looper-control-');
  const looper = await createLooperEnv({
    env: {
      ...testAgentEnv({ dir, ...agent }),
      LOOPER_SCHEDULER_RETRY_BASE_DELAY_SECS: '0.1',
      ...extraEnv,
    },
  });
  env = looper;
  const daemon = looper.spawnDaemon();
  await waitForOutput(daemon, /listening on/);
  return { looper, dir, repo: makeRepo({ 'README.md': '# sample\n' }) };
}

async function startLoop(looper: LooperEnv, repo: string, title: string): Promise<string> {
  const started = await looper.json<LoopView>([
    'run',
    '--repo',
    repo,
    '--title',
    title,
    '--check',
    'true',
  ]);
  expect(started.code).toBe(0);
  return started.data.id;
}

/** Live processes of the agent's group (or running its script). */
const leftOf = (pgid: number, dir: string) => survivors([pgid], dir);

describe('pause and resume', () => {
  it('pause stops the running agent and its group, holds the stage; resume ends ready', async () => {
    const { looper, dir, repo } = await startLooper({ blockRole: 'worker' });
    const loopId = await startLoop(looper, repo, 'Pause me');
    const marker = markerPath(dir, 'worker', loopId);
    await waitForFile(marker, 30_000);
    const { pid } = readMarker(marker);
    groups.push(pid);
    expect(leftOf(pid, dir).length).toBeGreaterThanOrEqual(2); // the agent and its sleep child

    const paused = await looper.json<LoopView>(['loop', 'pause', loopId]);

    expect(paused.code).toBe(0);
    expect(paused.data).toMatchObject({ stage: 'working', paused: true });
    expect(
      await eventually(
        () => leftOf(pid, dir),
        (left) => left.length === 0,
      ),
    ).toEqual([]);
    const held = await api<LoopView>(looper, `/loops/${loopId}`);
    expect(held).toMatchObject({ stage: 'working', paused: true });
    expect(held.runs?.filter((r) => r.role === 'worker').map((r) => r.status)).toEqual([
      'cancelled',
    ]);
    // Paused twice, or approved when not awaiting approval: refused, naming the stage.
    const again = await looper.cli(['loop', 'pause', loopId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('stage working (paused)');
    const approve = await apiCall(looper, 'POST', `/loops/${loopId}/approve`);
    expect(approve.status).toBe(409);
    expect(approve.error?.code).toBe('invalid_transition');
    expect(approve.error?.message).toContain('stage working');
    const status = await api<{ queue: { queued: number; claimed: number } }>(looper, '/status');
    expect(status.queue).toEqual({ queued: 0, claimed: 0 });

    const resumed = await looper.json<LoopView>(['loop', 'resume', loopId]);
    expect(resumed.code).toBe(0);
    expect(resumed.data.paused).toBe(false);
    await waitForStage(looper, loopId, 'ready');

    const loop = await api<LoopView>(looper, `/loops/${loopId}`);
    expect(loop.stage).toBe('ready');
    expect(loop.runs?.map((r) => [r.role, r.status])).toEqual([
      ['planner', 'succeeded'],
      ['plan_reviewer', 'succeeded'],
      ['worker', 'cancelled'],
      ['worker', 'succeeded'],
      ['reviewer', 'succeeded'],
    ]);
    const resumeAgain = await looper.cli(['loop', 'resume', loopId]);
    expect(resumeAgain.code).toBe(1);
    expect(resumeAgain.stderr).toContain('stage ready');
  });
});

describe('cancel', () => {
  it('cancel during a running agent leaves no process of its group and removes the worktree', async () => {
    const { looper, dir, repo } = await startLooper({ blockRole: 'worker' });
    const loopId = await startLoop(looper, repo, 'Cancel me');
    const marker = markerPath(dir, 'worker', loopId);
    await waitForFile(marker, 30_000);
    const { pid, cwd } = readMarker(marker);
    groups.push(pid);

    const cancelled = await looper.json<LoopView>(['run', 'cancel', loopId]);

    expect(cancelled.code).toBe(0);
    expect(cancelled.data.stage).toBe('cancelled');
    expect(
      await eventually(
        () => leftOf(pid, dir),
        (left) => left.length === 0,
      ),
    ).toEqual([]);
    expect(fs.existsSync(cwd)).toBe(false);
    const again = await looper.cli(['run', 'cancel', loopId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('stage cancelled');
  });
});

describe('retry', () => {
  it('a loop that gave up after 3 failed attempts is retried from needs_human and ends ready', async () => {
    const { looper, repo } = await startLooper({ failRole: 'planner', failTimes: 3 });
    const loopId = await startLoop(looper, repo, 'Retry me');
    const stopped = await waitForStage(looper, loopId);
    expect(stopped.at(-1)?.data).toMatchObject({ to: 'needs_human' });
    const before = await api<LoopView>(looper, `/loops/${loopId}`);
    expect(before.reason).toContain('gave up after 3 attempts');
    const last = stopped.at(-1)?.id ?? 0;

    const refused = await apiCall(looper, 'POST', `/loops/${loopId}/retry`, { mode: 'sideways' });
    expect(refused.status).toBe(422);
    const retried = await looper.json<LoopView>(['run', 'retry', loopId, '--mode', 'resume']);
    expect(retried.code).toBe(0);
    expect(retried.data.stage).toBe('planning');
    const after = await waitForStage(looper, loopId, 'ready', last);

    const loop = await api<LoopView>(looper, `/loops/${loopId}`);
    expect(loop.stage).toBe('ready');
    expect(loop.reason).toBeNull();
    // Every attempt keeps its run and its step.failed event.
    expect(loop.runs?.filter((r) => r.role === 'planner').map((r) => r.status)).toEqual([
      'failed',
      'failed',
      'failed',
      'succeeded',
    ]);
    const failures = stopped.filter((e) => e.type === 'step.failed');
    expect(failures.map((e) => e.data.attempt)).toEqual([1, 2, 3]);
    expect(after.filter((e) => e.type === 'step.failed')).toEqual([]);
    const again = await looper.cli(['run', 'retry', loopId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('stage ready');
  });
});

describe('approve, then worktree list and cleanup', () => {
  it('with loop.approval = "label" the loop waits at awaiting_approval until a person approves', async () => {
    const { looper, repo } = await startLooper(
      {},
      { LOOPER_LOOP_APPROVAL: 'label', LOOPER_WORKTREES_RETENTION_HOURS: '0' },
    );
    const loopId = await startLoop(looper, repo, 'Approve me');
    const waiting = await waitForStage(looper, loopId, 'awaiting_approval');
    const last = waiting.at(-1)?.id ?? 0;
    const status = await eventually(
      () => api<{ queue: { queued: number; claimed: number } }>(looper, '/status'),
      (s) => s.queue.queued + s.queue.claimed === 0,
    );
    expect(status.queue).toEqual({ queued: 0, claimed: 0 });

    const approved = await looper.json<LoopView>(['loop', 'approve', loopId]);

    expect(approved.code).toBe(0);
    expect(approved.data.stage).toBe('working');
    const events = await readEvents(
      looper,
      { loopId, after: last },
      (e) => e.type === 'loop.stage' && e.data.to === 'ready',
    );
    expect(events.filter((e) => e.type === 'loop.stage').map((e) => e.data.to)).toEqual([
      'working',
      'checking',
      'pr_open',
      'reviewing',
      'ready',
    ]);
    const again = await looper.cli(['loop', 'approve', loopId, '--json']);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({
      ok: false,
      error: { code: 'invalid_transition' },
    });

    // The finished loop's worktree: listed with its disk use; a dirty one survives a cleanup
    // (retention 0 h here) until --force.
    const list = await looper.json<WorktreeView[]>(['worktree', 'list']);
    expect(list.data.map((w) => [w.loop_id, w.stage, w.dirty])).toEqual([[loopId, 'ready', false]]);
    const worktree = list.data[0] as WorktreeView;
    expect(worktree.disk_bytes).toBeGreaterThan(0);
    fs.writeFileSync(path.join(worktree.path, 'scratch.txt'), 'a person was here\n');
    const kept = await looper.json<WorktreeCleanupView>(['worktree', 'cleanup']);
    expect(kept.data.removed).toEqual([]);
    expect(kept.data.kept).toMatchObject([{ loop_id: loopId, reason: 'dirty' }]);
    const text = await looper.cli(['worktree', 'list']);
    expect(text.stdout).toContain('dirty');
    const forced = await looper.json<WorktreeCleanupView>(['worktree', 'cleanup', '--force']);
    expect(forced.data.removed.map((r) => r.loop_id)).toEqual([loopId]);
    expect(fs.existsSync(worktree.path)).toBe(false);
    expect((await looper.json<WorktreeView[]>(['worktree', 'list'])).data).toEqual([]);
  });
});
