import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { effectKey } from './effects.js';
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

describe('worktrees', () => {
  it('records, reads, marks removed, re-records and lists worktrees', async () => {
    const { worktrees } = t.store;
    const input = { loopId: loop.id, path: '/wt/1', branch: 'looper/1-x', repoPath: '/p' };
    const recorded = await worktrees.recordWorktree(input);
    expect(recorded).toMatchObject({ ...input, removedAt: null, createdAt: t.clock.now() });
    expect(await worktrees.getWorktree(loop.id)).toEqual(recorded);
    expect(await worktrees.getWorktree('loop_none')).toBeNull();

    t.clock.advance(10);
    await worktrees.markWorktreeRemoved(loop.id);
    expect((await worktrees.getWorktree(loop.id))?.removedAt).toBe(t.clock.now());
    expect(await worktrees.listWorktrees({ present: true })).toEqual([]);
    expect(await worktrees.listWorktrees()).toHaveLength(1);

    const again = await worktrees.recordWorktree({ ...input, path: '/wt/1b' });
    expect(again).toMatchObject({ path: '/wt/1b', removedAt: null });
    expect(await worktrees.listWorktrees({ present: true })).toHaveLength(1);
  });
});

describe('effects journal', () => {
  it('starts an effect once, keeps its first record and finishes it with a result', async () => {
    const { effects } = t.store;
    const key = effectKey(loop.id, 'pr_open', 1, 'open_pr');
    expect(key).toBe(`${loop.id}:pr_open:1:open_pr`);
    expect(await effects.getEffect(key)).toBeNull();

    const started = await effects.startEffect(key, loop.id);
    expect(started).toMatchObject({ key, loopId: loop.id, status: 'started', result: null });
    t.clock.advance(5);
    expect(await effects.startEffect(key, loop.id)).toEqual(started);

    const done = await effects.finishEffect(key, { prNumber: 12 });
    expect(done).toMatchObject({
      status: 'done',
      result: { prNumber: 12 },
      updatedAt: t.clock.now(),
    });
    expect(await effects.startEffect(key, loop.id)).toEqual(done);
    await expect(effects.finishEffect('nope', {})).rejects.toMatchObject({ code: 'not_found' });
  });
});
