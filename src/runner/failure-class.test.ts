import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LooperError } from '../domain/index.js';
import { branchName } from '../git/index.js';
import { classifyStepError } from './failure-class.js';
import { createRunnerFixture, outcome, type RunnerFixture } from './runner-fixture.test-support.js';

let fx: RunnerFixture;
afterEach(async () => {
  await fx.close();
});

const never = () => new AbortController().signal;

describe('fatal: the project itself is broken', () => {
  it('ends the loop failed when the repository is gone', async () => {
    fx = await createRunnerFixture();
    const loop = await fx.createLoop();
    await fx.runner.advance(loop.id, never()); // queued → planning, worktree created
    fs.rmSync(fx.repo, { recursive: true, force: true });

    const result = await fx.runner.advance(loop.id, never());

    expect(result).toEqual({ kind: 'done' });
    const after = await fx.store.loops.getLoop(loop.id);
    expect(after.stage).toBe('failed');
    expect(after.state.reason).toBe(`the repository ${fx.repo} is gone`);
    const [failed] = await fx.events(loop.id, 'step.failed');
    expect(failed?.data).toMatchObject({ stage: 'planning', failure_class: 'fatal' });
    expect(fx.agents.requests).toEqual([]);
  });

  it('ends the loop failed when the path is no longer a git repository', async () => {
    fx = await createRunnerFixture();
    const loop = await fx.createLoop();
    await fx.runner.advance(loop.id, never());
    fs.rmSync(path.join(fx.repo, '.git'), { recursive: true, force: true });

    await fx.runner.advance(loop.id, never());

    const after = await fx.store.loops.getLoop(loop.id);
    expect(after.stage).toBe('failed');
    expect(after.state.reason).toBe(`${fx.repo} is not a git repository`);
  });
});

describe('needs_human: a person must look', () => {
  it('stops the loop when its branch is checked out elsewhere (no retry)', async () => {
    fx = await createRunnerFixture();
    const loop = await fx.createLoop();
    execFileSync('git', ['checkout', '-q', '-b', branchName(loop.number, loop.title)], {
      cwd: fx.repo,
    });

    const first = await fx.runner.advance(loop.id, never());

    expect(first).toEqual({ kind: 'done' });
    const after = await fx.store.loops.getLoop(loop.id);
    expect(after.stage).toBe('needs_human');
    expect(after.state.reason).toContain('is already checked out elsewhere');
    const failed = await fx.events(loop.id, 'step.failed');
    expect(failed.map((e) => e.data.failure_class)).toEqual(['needs_human']);
  });

  it('classifies a dirty worktree as needs_human and a config problem as fatal', async () => {
    fx = await createRunnerFixture();
    const loop = await fx.createLoop();
    const dirty = new LooperError('dirty_worktree', 'worktree has uncommitted changes: /w');
    const config = new LooperError('config_invalid', 'vendor custom needs vendors.custom.command');

    expect(await classifyStepError(fx.deps, loop, dirty, 'perform')).toEqual({
      failureClass: 'needs_human',
      reason: 'worktree has uncommitted changes: /w',
    });
    expect(await classifyStepError(fx.deps, loop, config, 'perform')).toEqual({
      failureClass: 'fatal',
      reason: 'configuration problem: vendor custom needs vendors.custom.command',
    });
    expect(await classifyStepError(fx.deps, loop, new Error('socket hang up'), 'perform')).toEqual({
      failureClass: 'transient',
      reason: 'socket hang up',
    });
  });
});

describe('transient: retried up to scheduler.retry.max-attempts', () => {
  it('asks a person after the configured number of attempts, keeping every run', async () => {
    fx = await createRunnerFixture({
      configure: (config) => {
        config.scheduler.retry['max-attempts'] = 2;
      },
    });
    fx.agents.script('planner', () =>
      outcome({ status: 'failed', exitCode: 1, errorKind: 'crash', errorMessage: 'agent crashed' }),
    );
    const loop = await fx.createLoop();
    await fx.runner.advance(loop.id, never());

    const first = await fx.runner.advance(loop.id, never());
    const second = await fx.runner.advance(loop.id, never());

    expect(first).toMatchObject({ kind: 'retry_later', attempt: 2 });
    expect(second).toEqual({ kind: 'done' });
    const after = await fx.store.loops.getLoop(loop.id);
    expect(after.stage).toBe('needs_human');
    expect(after.state.reason).toContain('gave up after 2 attempts');
    expect((await fx.store.runs.listRunsForLoop(loop.id)).map((r) => r.attempt)).toEqual([1, 2]);
    expect((await fx.events(loop.id, 'step.failed')).map((e) => e.data.attempt)).toEqual([1, 2]);
  });

  it('retries an unexpected error thrown by a step instead of failing the scheduler', async () => {
    fx = await createRunnerFixture();
    fx.agents.script('planner', () => {
      throw new Error('the agent runner broke');
    });
    const loop = await fx.createLoop();
    await fx.runner.advance(loop.id, never());

    const result = await fx.runner.advance(loop.id, never());

    expect(result).toMatchObject({ kind: 'retry_later', attempt: 2 });
    expect(result.kind === 'retry_later' && result.reason).toBe('the agent runner broke');
    expect((await fx.store.loops.getLoop(loop.id)).stage).toBe('planning');
  });
});
