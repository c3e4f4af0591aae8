import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LoopRecord } from './loops.js';
import { openTestStore, type TestStore } from './test-helpers.js';

let t: TestStore;
let loop: LoopRecord;

beforeEach(async () => {
  t = await openTestStore();
  const project = await t.store.projects.createProject({ name: 'p', forge: 'local', path: '/p' });
  loop = await t.store.loops.createLoop({
    projectId: project.id,
    kind: 'issue',
    number: 1,
    title: 'x',
  });
});
afterEach(() => t.cleanup());

const base = { role: 'planner', vendor: 'claude-code', stage: 'planning', attempt: 1 } as const;

describe('runs', () => {
  it('creates a running run, records its pid and finishes it with usage and result', async () => {
    const { runs } = t.store;
    const run = await runs.createRun({
      ...base,
      loopId: loop.id,
      model: 'sonnet',
      logPath: '/l/1.log',
      nodeId: 'node_a',
    });
    expect(run).toMatchObject({ status: 'running', pid: null, finishedAt: null, model: 'sonnet' });

    await runs.setRunPid(run.id, 4242, 'Tue 12:00');
    expect(await runs.getRun(run.id)).toMatchObject({ pid: 4242, pidStartTime: 'Tue 12:00' });
    expect((await runs.listRunningRuns()).map((r) => r.id)).toEqual([run.id]);
    expect((await runs.listRunningRuns('node_a')).map((r) => r.id)).toEqual([run.id]);
    expect(await runs.listRunningRuns('node_b')).toEqual([]);

    t.clock.advance(1500);
    const finished = await runs.finishRun(run.id, {
      status: 'succeeded',
      exitCode: 0,
      summary: 'wrote the spec',
      result: { summary: 'wrote the spec' },
      sessionId: 'sess-1',
      inputTokens: 10,
      outputTokens: 5,
      cachedTokens: 2,
      costUsd: 0.01,
    });
    expect(finished).toMatchObject({
      status: 'succeeded',
      exitCode: 0,
      result: { summary: 'wrote the spec' },
      sessionId: 'sess-1',
      inputTokens: 10,
      costUsd: 0.01,
      finishedAt: run.startedAt + 1500,
      durationMs: 1500,
    });
    expect(await runs.listRunningRuns()).toEqual([]);
  });

  it('keeps the first outcome when a run is finished twice', async () => {
    const { runs } = t.store;
    const run = await runs.createRun({ ...base, loopId: loop.id, logPath: '/l/2.log' });
    await runs.finishRun(run.id, { status: 'interrupted', errorKind: 'crash' });
    const again = await runs.finishRun(run.id, { status: 'succeeded' });
    expect(again).toMatchObject({ status: 'interrupted', errorKind: 'crash', costUsd: null });
  });

  it('lists a loop’s runs oldest first and reports unknown ids', async () => {
    const { runs } = t.store;
    const a = await runs.createRun({ ...base, loopId: loop.id, logPath: '/l/a.log' });
    t.clock.advance(1);
    const b = await runs.createRun({
      ...base,
      role: 'plan_reviewer',
      loopId: loop.id,
      logPath: '/l/b.log',
    });
    expect((await runs.listRunsForLoop(loop.id)).map((r) => r.id)).toEqual([a.id, b.id]);
    const chosen = await runs.createRun({
      ...base,
      id: 'run_chosen',
      loopId: loop.id,
      logPath: '/l/run_chosen.log',
    });
    expect(chosen.id).toBe('run_chosen');
    await expect(runs.getRun('run_nope')).rejects.toMatchObject({ code: 'not_found' });
  });
});
