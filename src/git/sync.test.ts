import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGit } from './git.js';

function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=H', '-c', 'user.email=h@x', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();
}

/** A bare remote with `main`, Looper's clone and a worktree on `feature` pushed once. */
async function setup() {
  const root = mkdtempSync(join(tmpdir(), 'looper-sync-'));
  const bare = join(root, 'origin.git');
  sh(root, 'init', '-q', '--bare', '-b', 'main', bare);
  sh(root, 'clone', '-q', bare, 'seed');
  writeFileSync(join(root, 'seed', 'a.txt'), 'a\n');
  sh(join(root, 'seed'), 'add', '-A');
  sh(join(root, 'seed'), 'commit', '-qm', 'seed');
  sh(join(root, 'seed'), 'push', '-q', 'origin', 'main');
  const dataDir = join(root, 'data');
  const git = createGit({ dataDir });
  const clone = await git.ensureClone({ url: bare, dir: join(dataDir, 'clone') });
  const wt = await git.ensureWorktree({
    repoPath: clone,
    loopId: 'loop_1',
    branch: 'feature',
    baseBranch: 'origin/main',
  });
  writeFileSync(join(wt.path, 'b.txt'), 'b\n');
  await git.commitAll({ path: wt.path, message: 'b', author: 'L <l@x>', effectKey: 'k1' });
  await git.push({ path: wt.path, branch: 'feature' });
  /** A person pushes one commit to `feature` from their own clone. */
  const personPushes = (file: string) => {
    const other = mkdtempSync(join(root, 'person-'));
    sh(other, 'clone', '-q', '-b', 'feature', bare, 'w');
    writeFileSync(join(other, 'w', file), 'human\n');
    sh(join(other, 'w'), 'add', '-A');
    sh(join(other, 'w'), 'commit', '-qm', `human ${file}`);
    sh(join(other, 'w'), 'push', '-q', 'origin', 'feature');
    return sh(bare, 'rev-parse', 'refs/heads/feature');
  };
  return { bare, git, clone, wt: wt.path, personPushes };
}

describe('git: catching up with the forge', () => {
  it('fast-forwards to commits a person pushed, so Looper builds on them', async () => {
    const { git, clone, wt, personPushes } = await setup();
    const human = personPushes('h.txt');
    await git.ensureClone({ url: '', dir: clone });
    const result = await git.syncToRef({ path: wt, ref: 'origin/feature' });
    expect(result).toMatchObject({ status: 'updated', sha: human });
    expect(await git.headSha(wt)).toBe(human);
    expect(await git.syncToRef({ path: wt, ref: 'origin/feature' })).toEqual({
      status: 'current',
      sha: human,
    });
  });

  it('reports a diverged branch without touching it, and the push refuses to drop the commit', async () => {
    const { bare, git, clone, wt, personPushes } = await setup();
    const human = personPushes('h.txt');
    // The fetch moves origin/feature (the lease) to the person's commit…
    await git.ensureClone({ url: '', dir: clone });
    writeFileSync(join(wt, 'c.txt'), 'c\n');
    await git.commitAll({ path: wt, message: 'c', author: 'L <l@x>', effectKey: 'k2' });
    const mine = await git.headSha(wt);
    expect(await git.syncToRef({ path: wt, ref: 'origin/feature' })).toEqual({
      status: 'diverged',
      sha: mine,
      remoteSha: human,
    });
    // …so the lease alone would let the push overwrite it; the ancestry check refuses.
    await expect(git.push({ path: wt, branch: 'feature' })).rejects.toMatchObject({
      code: 'conflict',
    });
    expect(sh(bare, 'rev-parse', 'refs/heads/feature')).toBe(human);
  });

  it('with force, resets a worktree that never commits (a review loop) to a rewritten head', async () => {
    const { bare, git, clone, wt } = await setup();
    const other = mkdtempSync(join(tmpdir(), 'looper-rewrite-'));
    sh(other, 'clone', '-q', '-b', 'main', bare, 'w');
    writeFileSync(join(other, 'w', 'z.txt'), 'z\n');
    sh(join(other, 'w'), 'add', '-A');
    sh(join(other, 'w'), 'commit', '-qm', 'rewritten');
    sh(join(other, 'w'), 'push', '-q', '--force', 'origin', 'HEAD:feature');
    const rewritten = sh(bare, 'rev-parse', 'refs/heads/feature');
    await git.ensureClone({ url: '', dir: clone });
    expect((await git.syncToRef({ path: wt, ref: 'origin/feature' })).status).toBe('diverged');
    expect(await git.syncToRef({ path: wt, ref: 'origin/feature', force: true })).toMatchObject({
      status: 'updated',
      sha: rewritten,
    });
    expect(await git.headSha(wt)).toBe(rewritten);
  });
});
