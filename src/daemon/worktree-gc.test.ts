import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createRunnerFixture,
  type RunnerFixture,
  // biome-ignore lint/style/noRestrictedImports: the runner's shared test fixture, not its public surface.
} from '../runner/runner-fixture.test-support.js';
import {
  cleanupWorktrees,
  diskUsage,
  listWorktreeViews,
  type WorktreeGcDeps,
} from './worktree-gc.js';

let fx: RunnerFixture;
let deps: WorktreeGcDeps;
beforeEach(async () => {
  fx = await createRunnerFixture();
  deps = {
    store: fx.store,
    git: fx.deps.git,
    clock: fx.clock,
    config: fx.config,
    events: fx.deps.events,
  };
});
afterEach(async () => {
  await fx.close();
});

const never = () => new AbortController().signal;
const hourMs = 3_600_000;

async function readyLoop(title: string) {
  const loop = await fx.createLoop({ title });
  await fx.advanceUntilDone(loop.id);
  const worktree = await fx.store.worktrees.getWorktree(loop.id);
  if (worktree === null) throw new Error('no worktree');
  return { loop, path: worktree.path };
}

describe('worktree garbage collection', () => {
  it('removes finished loops past retention, keeps dirty, recent and active ones, and says why', async () => {
    const old = await readyLoop('Old and clean');
    const dirty = await readyLoop('Old and dirty');
    fs.writeFileSync(path.join(dirty.path, 'notes.txt'), 'a person was here\n');
    fx.clock.advance(25 * hourMs);
    const recent = await readyLoop('Recent');
    const active = await fx.createLoop({ title: 'Still planning' });
    await fx.runner.advance(active.id, never());

    const listed = await listWorktreeViews(deps);
    const report = await cleanupWorktrees(deps, { force: false });

    expect(listed.map((w) => [w.loop_id, w.stage, w.dirty])).toEqual([
      [old.loop.id, 'ready', false],
      [dirty.loop.id, 'ready', true],
      [recent.loop.id, 'ready', false],
      [active.id, 'planning', false],
    ]);
    expect(listed.every((w) => w.disk_bytes > 0)).toBe(true);
    expect(report.removed.map((r) => r.loop_id)).toEqual([old.loop.id]);
    expect(report.removed[0]?.disk_bytes).toBeGreaterThan(0);
    expect(report.kept.map((k) => [k.loop_id, k.reason])).toEqual([
      [dirty.loop.id, 'dirty'],
      [recent.loop.id, 'recent'],
      [active.id, 'active'],
    ]);
    expect(fs.existsSync(old.path)).toBe(false);
    expect(fs.existsSync(dirty.path)).toBe(true);
    expect((await fx.store.worktrees.getWorktree(old.loop.id))?.removedAt).toBe(fx.clock.now());
    expect(await fx.events(old.loop.id, 'worktree.removed')).toHaveLength(1);
    expect(await fx.events(dirty.loop.id, 'worktree.kept')).toHaveLength(1);
    // The branch stays: only the checkout goes.
    expect(await fx.branchLog(old.loop.id)).toHaveLength(2);
    expect((await listWorktreeViews(deps)).map((w) => w.loop_id)).toEqual([
      dirty.loop.id,
      recent.loop.id,
      active.id,
    ]);
  });

  it('removes a dirty one with force', async () => {
    const dirty = await readyLoop('Dirty');
    fs.writeFileSync(path.join(dirty.path, 'notes.txt'), 'scratch\n');
    fx.clock.advance(25 * hourMs);

    const report = await cleanupWorktrees(deps, { force: true });

    expect(report.removed.map((r) => r.loop_id)).toEqual([dirty.loop.id]);
    expect(report.kept).toEqual([]);
    expect(fs.existsSync(dirty.path)).toBe(false);
  });

  it('reports a worktree whose repository is gone as kept with the error', async () => {
    const gone = await readyLoop('Gone');
    fx.clock.advance(25 * hourMs);
    fs.rmSync(fx.repo, { recursive: true, force: true });

    const report = await cleanupWorktrees(deps, { force: false });

    expect(report.removed).toEqual([]);
    expect(report.kept).toMatchObject([{ loop_id: gone.loop.id, reason: 'error' }]);
  });
});

describe('diskUsage', () => {
  it('adds up the blocks of every file below a directory and is 0 for a missing one', async () => {
    const dir = path.join(fx.root, 'du');
    fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'a', 'b', 'big.bin'), Buffer.alloc(64 * 1024, 1));

    expect(await diskUsage(dir)).toBeGreaterThanOrEqual(64 * 1024);
    expect(await diskUsage(path.join(fx.root, 'missing'))).toBe(0);
  });
});
