import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isLooperError, type LooperError } from '../domain/index.js';
import {
  aborted,
  createRunnerFixture,
  defaultScripts,
  outcome,
  type RunnerFixture,
  resultOutcome,
} from './runner-fixture.test-support.js';
import { trackingKey } from './tracking.js';

let fx: RunnerFixture;
beforeEach(async () => {
  fx = await createRunnerFixture();
});
afterEach(async () => {
  await fx.close();
});

const never = () => new AbortController().signal;

describe('a whole loop', () => {
  it('advances step by step through every stage to ready', async () => {
    const loop = await fx.createLoop({ checks: ['test -f feature.txt'] });

    const last = await fx.advanceUntilDone(loop.id);

    expect(last).toEqual({ kind: 'done' });
    expect((await fx.store.loops.getLoop(loop.id)).stage).toBe('ready');
    expect(await fx.stagesSeen(loop.id)).toEqual([
      'queued',
      'planning',
      'plan_review',
      'working',
      'checking',
      'pr_open',
      'reviewing',
      'ready',
    ]);
    expect(fx.agents.requests.map((r) => r.role)).toEqual([
      'planner',
      'plan_reviewer',
      'worker',
      'reviewer',
    ]);
  });

  it('keeps exactly one looper: state label on the issue, ending with looper:done', async () => {
    const loop = await fx.createLoop();
    const seen: string[][] = [];

    await fx.advanceUntilDone(loop.id, async () => {
      seen.push(await fx.stateLabelsOf(loop));
    });

    expect(seen.length).toBeGreaterThan(5);
    for (const labels of seen) expect(labels).toHaveLength(1);
    expect(seen.map((l) => l[0])).toContain('looper:working');
    expect(await fx.stateLabelsOf(loop)).toEqual(['looper:done']);
    const issue = await fx.forge.getIssue(await fx.ref(loop), loop.number);
    expect(issue.labels).toContain('looper:plan');
  });

  it('edits one tracking comment in place, showing the current stage', async () => {
    const loop = await fx.createLoop();
    const ref = await fx.ref(loop);
    const tracking = async () =>
      (await fx.forge.listComments(ref, loop.number)).filter((c) => c.key === trackingKey);

    await fx.runner.advance(loop.id, never());
    const first = await tracking();
    await fx.advanceUntilDone(loop.id);
    const last = await tracking();

    expect(first).toHaveLength(1);
    expect(first[0]?.body).toContain('stage: `planning`');
    expect(last).toHaveLength(1);
    expect(last[0]?.id).toBe(first[0]?.id);
    expect(last[0]?.body).toContain('stage: `ready`');
    expect(last[0]?.body).toContain('- [x] Ready for humans');
  });

  it('sums every run cost into the loop', async () => {
    for (const role of ['planner', 'plan_reviewer', 'worker', 'reviewer'] as const) {
      const base = defaultScripts[role];
      fx.agents.script(role, async (req) => {
        const out = await base(req);
        return { ...out, usage: { ...out.usage, costUsd: 0.25 } };
      });
    }
    const loop = await fx.createLoop();

    await fx.advanceUntilDone(loop.id);

    const done = await fx.store.loops.getLoop(loop.id);
    expect(done.stage).toBe('ready');
    expect(done.costUsd).toBe(1);
    expect(done.state.costUsd).toBe(1);
    expect(done.inputTokens).toBe(400);
  });
});

describe('durability', () => {
  it('applies effects left pending by a crash before the next step, and only once', async () => {
    const loop = await fx.createLoop();
    await fx.runner.advance(loop.id, never()); // queued → planning: the worktree exists
    const worktree = (await fx.store.worktrees.getWorktree(loop.id))?.path ?? '';
    const spec = path.join(worktree, 'specs', `${loop.number}-add-a-feature.md`);
    fs.mkdirSync(path.dirname(spec), { recursive: true });
    fs.writeFileSync(spec, '# Spec\n');
    // The planner's transition was saved, then the daemon died before committing the spec.
    await fx.saveState(loop.id, { stage: 'plan_review', planRounds: 1 }, [{ type: 'commit_spec' }]);
    let logWhenReviewed: string[] = [];
    fx.agents.script('plan_reviewer', async () => {
      logWhenReviewed = await fx.branchLog(loop.id);
      return resultOutcome({ verdict: 'approve', summary: 'ok', comments: [] });
    });

    await fx.runner.advance(loop.id, never());
    // The same effect delivered again (a second crash) with the spec edited meanwhile.
    fs.appendFileSync(spec, 'more\n');
    await fx.saveState(loop.id, {}, [{ type: 'commit_spec' }]);
    await fx.runner.advance(loop.id, never());

    const specCommit = `Add spec for #${loop.number}: Add a feature | ${loop.id}:spec:1`;
    expect(logWhenReviewed).toEqual([specCommit]);
    expect((await fx.branchLog(loop.id)).filter((l) => l.startsWith('Add spec'))).toEqual([
      specCommit,
    ]);
    const commits = await fx.events(loop.id, 'git.commit');
    expect(commits.map((e) => e.data.committed)).toEqual([true, false]);
    const after = await fx.store.loops.getLoop(loop.id);
    expect(after.pendingEffects).toEqual([]);
    expect(after.prNumber).not.toBeNull();
    const pr = await fx.forge.findPullRequest(await fx.ref(loop), { head: after.branch ?? '' });
    expect(pr?.number).toBe(after.prNumber);
  });

  it('commits the spec and the work once each when a step is replayed', async () => {
    const loop = await fx.createLoop();
    let replayed = false;
    await fx.advanceUntilDone(loop.id, async () => {
      const now = await fx.store.loops.getLoop(loop.id);
      if (now.stage !== 'reviewing' || replayed) return;
      replayed = true;
      // The publish step's save was lost: the loop is back at pr_open, its commit already made, and
      // the worktree has changed since (so only the effect key can tell the commit was made).
      const worktree = (await fx.store.worktrees.getWorktree(loop.id))?.path ?? '';
      fs.writeFileSync(path.join(worktree, 'later.txt'), 'later\n');
      await fx.saveState(loop.id, { stage: 'pr_open' });
    });

    const log = await fx.branchLog(loop.id);
    expect(log).toEqual([
      `Add spec for #${loop.number}: Add a feature | ${loop.id}:spec:1`,
      `Add a feature (#${loop.number}) | ${loop.id}:publish:0`,
    ]);
    const work = (await fx.events(loop.id, 'git.commit')).filter((e) => e.data.what === 'work');
    expect(work.map((e) => e.data.committed)).toEqual([true, false]);
    expect(replayed).toBe(true);
    expect((await fx.store.loops.getLoop(loop.id)).stage).toBe('ready');
  });
});

describe('control', () => {
  it('cancel stops a running agent and ends the loop', async () => {
    const loop = await fx.createLoop();
    await fx.runner.advance(loop.id, never());
    let sawAbort = false;
    fx.agents.script('planner', async (req) => {
      await aborted(req.signal);
      sawAbort = req.signal?.aborted ?? false;
      return outcome({ status: 'cancelled', exitCode: null, signal: 'SIGTERM' });
    });
    const started = fx.agents.nextRequest('planner');

    const step = fx.runner.advance(loop.id, never());
    await started;
    const control = await fx.runner.control(loop.id, { type: 'cancel', reason: 'not needed' });
    const result = await step;

    expect(sawAbort).toBe(true);
    expect(result).toEqual({ kind: 'done' });
    expect(control.requeue).toBe(false);
    const after = await fx.store.loops.getLoop(loop.id);
    expect(after.stage).toBe('cancelled');
    expect(after.state.reason).toBe('not needed');
    const runs = await fx.store.runs.listRunsForLoop(loop.id);
    expect(runs.map((r) => r.status)).toEqual(['cancelled']);
    expect(await fx.runner.advance(loop.id, never())).toEqual({ kind: 'done' });
    expect(fx.agents.requests).toHaveLength(1);
  });

  it('pause holds the loop at its stage and resume asks for a requeue at the same stage', async () => {
    const loop = await fx.createLoop();
    await fx.runner.advance(loop.id, never());

    const paused = await fx.runner.control(loop.id, { type: 'pause' });
    const whilePaused = await fx.runner.advance(loop.id, never());
    const resumed = await fx.runner.control(loop.id, { type: 'resume' });

    expect(paused.requeue).toBe(false);
    expect(paused.loop).toMatchObject({ stage: 'planning', paused: true });
    expect(whilePaused).toEqual({ kind: 'done' });
    expect(fx.agents.requests).toHaveLength(0);
    expect(resumed.requeue).toBe(true);
    expect(resumed.loop).toMatchObject({ stage: 'planning', paused: false });
    const pauses = (await fx.events(loop.id, 'loop.stage')).map((e) => e.data.paused);
    expect(pauses).toEqual([false, true, false]);
  });

  it('refuses resume on a loop that is not paused', async () => {
    const loop = await fx.createLoop();

    const error = await fx.runner.control(loop.id, { type: 'resume' }).then(
      () => null,
      (e: unknown) => e,
    );

    expect(isLooperError(error)).toBe(true);
    expect((error as LooperError).code).toBe('invalid_transition');
    expect((await fx.store.loops.getLoop(loop.id)).version).toBe(loop.version);
  });
});
