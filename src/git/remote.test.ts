import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGit } from './git.js';
import { authEnv } from './remote.js';

function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

/** A bare "forge" repository with one commit on main. */
function bareRemote(): string {
  const root = mkdtempSync(join(tmpdir(), 'looper-remote-'));
  const bare = join(root, 'origin.git');
  sh(root, 'init', '-q', '--bare', '-b', 'main', bare);
  const seed = join(root, 'seed');
  sh(root, 'clone', '-q', bare, seed);
  writeFileSync(join(seed, 'a.txt'), 'a\n');
  sh(seed, '-c', 'user.name=T', '-c', 'user.email=t@x', 'add', '-A');
  sh(seed, '-c', 'user.name=T', '-c', 'user.email=t@x', 'commit', '-qm', 'seed');
  sh(seed, 'push', '-q', 'origin', 'main');
  return bare;
}

describe('remote: clone, push with lease', () => {
  it('clones once, pushes a branch, and a replayed push pushes nothing', async () => {
    const bare = bareRemote();
    const dataDir = mkdtempSync(join(tmpdir(), 'looper-data-'));
    const git = createGit({ dataDir });
    const clone = await git.ensureClone({ url: bare, dir: join(dataDir, 'repos', 'o', 'r') });
    expect(await git.ensureClone({ url: bare, dir: clone })).toBe(clone);
    const wt = await git.ensureWorktree({
      repoPath: clone,
      loopId: 'loop_1',
      branch: 'looper/1-x',
      baseBranch: 'origin/main',
    });
    writeFileSync(join(wt.path, 'b.txt'), 'b\n');
    await git.commitAll({
      path: wt.path,
      message: 'b',
      author: 'Looper <looper@localhost>',
      effectKey: 'k1',
    });
    const first = await git.push({ path: wt.path, branch: 'looper/1-x' });
    expect(first.pushed).toBe(true);
    expect(sh(bare, 'rev-parse', 'refs/heads/looper/1-x')).toBe(first.sha);
    expect(await git.push({ path: wt.path, branch: 'looper/1-x' })).toEqual({
      sha: first.sha,
      pushed: false,
    });
  });

  it('never overwrites a branch someone else moved since we looked', async () => {
    const bare = bareRemote();
    const dataDir = mkdtempSync(join(tmpdir(), 'looper-data-'));
    const git = createGit({ dataDir });
    const clone = await git.ensureClone({ url: bare, dir: join(dataDir, 'clone') });
    const wt = await git.ensureWorktree({
      repoPath: clone,
      loopId: 'loop_2',
      branch: 'feature',
      baseBranch: 'origin/main',
    });
    writeFileSync(join(wt.path, 'c.txt'), 'c\n');
    await git.commitAll({
      path: wt.path,
      message: 'c',
      author: 'Looper <looper@localhost>',
      effectKey: 'k2',
    });
    await git.push({ path: wt.path, branch: 'feature' });
    // A person pushes to the same branch from elsewhere.
    const other = mkdtempSync(join(tmpdir(), 'looper-other-'));
    sh(other, 'clone', '-q', '-b', 'feature', bare, 'w');
    writeFileSync(join(other, 'w', 'd.txt'), 'human\n');
    sh(
      join(other, 'w'),
      '-c',
      'user.name=H',
      '-c',
      'user.email=h@x',
      'commit',
      '-qam',
      'human',
      '--allow-empty',
    );
    sh(join(other, 'w'), 'add', '-A');
    sh(
      join(other, 'w'),
      '-c',
      'user.name=H',
      '-c',
      'user.email=h@x',
      'commit',
      '-qm',
      'human file',
    );
    sh(join(other, 'w'), 'push', '-q', 'origin', 'feature');
    const human = sh(bare, 'rev-parse', 'refs/heads/feature');
    // Looper's worktree makes another commit and pushes: the push must be refused or lease-checked.
    writeFileSync(join(wt.path, 'e.txt'), 'e\n');
    await git.commitAll({
      path: wt.path,
      message: 'e',
      author: 'Looper <looper@localhost>',
      effectKey: 'k3',
    });
    await expect(git.push({ path: wt.path, branch: 'feature' })).rejects.toMatchObject({
      code: expect.stringMatching(/conflict|git_failed/),
    });
    expect(sh(bare, 'rev-parse', 'refs/heads/feature')).toBe(human);
  });

  it('sends the token as a header in the environment, never in the URL', () => {
    const env = authEnv({ token: 'ghs_secret' });
    expect(env.GIT_CONFIG_KEY_0).toBe('http.extraHeader');
    expect(env.GIT_CONFIG_VALUE_0).toBe(
      `Authorization: Basic ${Buffer.from('x-access-token:ghs_secret').toString('base64')}`,
    );
    expect(authEnv(undefined)).toEqual({});
  });
});
