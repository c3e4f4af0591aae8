import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LoopState, newLoopState } from '../domain/index.js';
import type { ProjectRecord } from './projects.js';
import { openTestStore, type TestStore } from './test-helpers.js';

let t: TestStore;
let project: ProjectRecord;

beforeEach(async () => {
  t = await openTestStore();
  project = await t.store.projects.createProject({
    name: 'demo',
    forge: 'local',
    path: '/repos/demo',
    checks: ['npm test'],
  });
});
afterEach(() => t.cleanup());

const at = (state: LoopState, stage: LoopState['stage']): LoopState => ({ ...state, stage });

describe('projects', () => {
  it('creates, finds by path or repo, lists and updates projects', async () => {
    const { projects } = t.store;
    const hosted = await projects.createProject({ name: 'o/r', forge: 'github', repo: 'o/r' });

    expect(project).toMatchObject({ forge: 'local', baseBranch: 'main', checks: ['npm test'] });
    expect(await projects.getProject(project.id)).toEqual(project);
    expect((await projects.findProjectByPath('/repos/demo'))?.id).toBe(project.id);
    expect((await projects.findProjectByRepo('o/r'))?.id).toBe(hosted.id);
    expect(await projects.findProjectByRepo('o/missing')).toBeNull();
    expect((await projects.listProjects()).map((p) => p.id)).toEqual([project.id, hosted.id]);

    t.clock.advance(5);
    const updated = await projects.updateProject(project.id, {
      checks: ['make check'],
      baseBranch: 'trunk',
    });
    expect(updated).toMatchObject({ checks: ['make check'], baseBranch: 'trunk' });
    expect(updated.updatedAt).toBe(project.createdAt + 5);
  });

  it('refuses a second project for the same path, and reports unknown ids', async () => {
    const again = t.store.projects.createProject({
      name: 'x',
      forge: 'local',
      path: '/repos/demo',
    });
    await expect(again).rejects.toMatchObject({ code: 'conflict' });
    await expect(t.store.projects.getProject('prj_nope')).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});

describe('loops', () => {
  it('creates a loop at queued with parsed JSON columns', async () => {
    const loop = await t.store.loops.createLoop({
      projectId: project.id,
      kind: 'issue',
      number: 7,
      title: 'Fix the bug',
      options: { vendor: 'codex', checks: ['npm test'] },
    });
    expect(loop).toMatchObject({
      kind: 'issue',
      number: 7,
      stage: 'queued',
      paused: false,
      version: 1,
      options: { vendor: 'codex', checks: ['npm test'] },
      pendingEffects: [],
      costUsd: 0,
      finishedAt: null,
    });
    expect(loop.state).toEqual(newLoopState(t.clock.now()));
    expect(await t.store.loops.getLoop(loop.id)).toEqual(loop);
  });

  it('saves state with optimistic concurrency and derives stage, paused and finishedAt', async () => {
    const { loops } = t.store;
    const loop = await loops.createLoop({
      projectId: project.id,
      kind: 'issue',
      number: 1,
      title: 'a',
    });
    const planning = { ...at(loop.state, 'planning'), paused: true };
    const effects = [{ type: 'set_state_label', stage: 'planning' } as const];

    const v2 = await loops.saveLoopState(
      loop.id,
      { state: planning, pendingEffects: effects, branch: 'looper/1-a', prNumber: 3 },
      1,
    );
    expect(v2).toBe(2);
    const saved = await loops.getLoop(loop.id);
    expect(saved).toMatchObject({
      stage: 'planning',
      paused: true,
      branch: 'looper/1-a',
      prNumber: 3,
      pendingEffects: effects,
      version: 2,
    });

    const stale = loops.saveLoopState(loop.id, { state: planning, pendingEffects: [] }, 1);
    await expect(stale).rejects.toMatchObject({ code: 'conflict' });
    expect((await loops.getLoop(loop.id)).version).toBe(2);

    t.clock.advance(100);
    await loops.saveLoopState(loop.id, { state: at(planning, 'failed'), pendingEffects: [] }, 2);
    const failed = await loops.getLoop(loop.id);
    expect(failed.finishedAt).toBe(t.clock.now());
    expect(failed.branch).toBe('looper/1-a');

    await loops.saveLoopState(loop.id, { state: at(planning, 'working'), pendingEffects: [] }, 3);
    expect((await loops.getLoop(loop.id)).finishedAt).toBeNull();
  });

  it('reports a missing loop as not_found, also on save', async () => {
    await expect(t.store.loops.getLoop('loop_nope')).rejects.toMatchObject({ code: 'not_found' });
    const save = t.store.loops.saveLoopState(
      'loop_nope',
      { state: newLoopState(0), pendingEffects: [] },
      1,
    );
    await expect(save).rejects.toMatchObject({ code: 'not_found' });
  });

  it('lists newest first with filters, finds the active loop for a target and counts stages', async () => {
    const { loops } = t.store;
    const first = await loops.createLoop({
      projectId: project.id,
      kind: 'issue',
      number: 1,
      title: 'a',
    });
    t.clock.advance(1);
    const second = await loops.createLoop({
      projectId: project.id,
      kind: 'review',
      number: 2,
      title: 'b',
    });
    t.clock.advance(1);
    const third = await loops.createLoop({
      projectId: project.id,
      kind: 'issue',
      number: 1,
      title: 'c',
    });
    await loops.saveLoopState(
      first.id,
      { state: at(first.state, 'cancelled'), pendingEffects: [] },
      1,
    );
    await loops.saveLoopState(
      third.id,
      { state: at(third.state, 'working'), pendingEffects: [] },
      1,
    );

    expect((await loops.listLoops()).map((l) => l.id)).toEqual([third.id, second.id, first.id]);
    expect((await loops.listLoops({ active: true })).map((l) => l.id)).toEqual([
      third.id,
      second.id,
    ]);
    expect((await loops.listLoops({ active: false })).map((l) => l.id)).toEqual([first.id]);
    expect((await loops.listLoops({ stage: 'working' })).map((l) => l.id)).toEqual([third.id]);
    expect((await loops.listLoops({ limit: 1, offset: 1 })).map((l) => l.id)).toEqual([second.id]);
    expect(await loops.listLoops({ projectId: 'prj_other' })).toEqual([]);

    expect((await loops.findActiveLoopForTarget(project.id, 'issue', 1))?.id).toBe(third.id);
    expect(await loops.findActiveLoopForTarget(project.id, 'fix', 2)).toBeNull();

    const counts = await loops.countLoopsByStage();
    expect(counts).toMatchObject({ queued: 1, working: 1, cancelled: 1, ready: 0 });
  });

  it('lists loops at any of several stages, most recently ended first when asked', async () => {
    const { loops } = t.store;
    const make = (number: number) =>
      loops.createLoop({ projectId: project.id, kind: 'issue', number, title: `#${number}` });
    const early = await make(1);
    t.clock.advance(1);
    const late = await make(2);
    t.clock.advance(1);
    const live = await make(3);
    const end = async (id: string, state: LoopState, stage: LoopState['stage']) => {
      t.clock.advance(10);
      await loops.saveLoopState(id, { state: at(state, stage), pendingEffects: [] }, 1);
    };
    await end(late.id, late.state, 'needs_human');
    await end(early.id, early.state, 'failed');

    const stopped = await loops.listLoops({ stages: ['needs_human', 'failed'], order: 'finished' });

    expect(stopped.map((l) => l.id)).toEqual([early.id, late.id]);
    const byCreation = await loops.listLoops({ stages: ['needs_human', 'failed'] });
    expect(byCreation.map((l) => l.id)).toEqual([late.id, early.id]);
    expect(await loops.listLoops({ stages: [] })).toEqual([]);
    expect((await loops.listLoops({ stages: ['queued'] })).map((l) => l.id)).toEqual([live.id]);
  });

  it('adds usage without moving the version', async () => {
    const { loops } = t.store;
    const loop = await loops.createLoop({
      projectId: project.id,
      kind: 'issue',
      number: 1,
      title: 'a',
    });
    const usage = { inputTokens: 100, outputTokens: 20, cachedTokens: 5, costUsd: 0.25 };
    await loops.addLoopUsage(loop.id, usage);
    await loops.addLoopUsage(loop.id, usage);
    expect(await loops.getLoop(loop.id)).toMatchObject({
      inputTokens: 200,
      outputTokens: 40,
      cachedTokens: 10,
      costUsd: 0.5,
      version: 1,
    });
    await expect(loops.addLoopUsage('loop_nope', usage)).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
