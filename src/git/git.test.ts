import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LooperError } from '../domain/index.js';
import { createGit } from './git.js';
import type { Git } from './types.js';

const looper = 'Looper <looper@localhost>';

function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

interface Fixture {
  root: string;
  repo: string;
  dataDir: string;
  git: Git;
}

function makeFixture(): Fixture {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'looper-'));
  const repo = path.join(root, 'repo');
  const dataDir = path.join(root, 'data');
  fs.mkdirSync(repo);
  sh(repo, 'init', '--quiet', '--initial-branch=main');
  sh(repo, 'config', 'user.name', 'Fixture Person');
  sh(repo, 'config', 'user.email', 'person@example.com');
  fs.writeFileSync(path.join(repo, 'README.md'), '# demo\n');
  fs.writeFileSync(path.join(repo, '.gitignore'), 'node_modules/\n');
  sh(repo, 'add', '-A');
  sh(repo, 'commit', '--quiet', '-m', 'initial');
  const git = createGit({ dataDir, clock: { now: () => Date.UTC(2030, 0, 2, 3, 4, 5) } });
  return { root, repo, dataDir, git };
}

async function rejection(promise: Promise<unknown>): Promise<LooperError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LooperError) return error;
    throw error;
  }
  throw new Error('expected a LooperError rejection');
}

let fx: Fixture;
beforeEach(() => {
  fx = makeFixture();
});
afterEach(() => {
  fs.rmSync(fx.root, { recursive: true, force: true });
});

describe('ensureWorktree', () => {
  it('creates the branch from the base in <dataDir>/worktrees/<loopId>', async () => {
    const wt = await fx.git.ensureWorktree({
      repoPath: fx.repo,
      loopId: 'loop_1',
      branch: 'looper/1-demo',
      baseBranch: 'main',
    });

    expect(wt).toEqual({
      path: path.join(fx.dataDir, 'worktrees', 'loop_1'),
      branch: 'looper/1-demo',
      created: true,
      baseBranch: 'main',
      baseFallback: false,
    });
    expect(sh(wt.path, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('looper/1-demo');
    expect(fs.readFileSync(path.join(wt.path, 'README.md'), 'utf8')).toBe('# demo\n');
  });

  it('reuses a worktree already on the branch (crash resume)', async () => {
    const input = {
      repoPath: fx.repo,
      loopId: 'loop_1',
      branch: 'looper/1-demo',
      baseBranch: 'main',
    };
    const first = await fx.git.ensureWorktree(input);
    fs.writeFileSync(path.join(first.path, 'work.txt'), 'in progress\n');

    const second = await fx.git.ensureWorktree(input);

    expect(second.created).toBe(false);
    expect(second.path).toBe(first.path);
    expect(fs.readFileSync(path.join(second.path, 'work.txt'), 'utf8')).toBe('in progress\n');
  });

  it('checks out an existing branch instead of recreating it', async () => {
    sh(fx.repo, 'branch', 'looper/2-existing');
    sh(fx.repo, 'switch', '--quiet', 'looper/2-existing');
    fs.writeFileSync(path.join(fx.repo, 'feature.txt'), 'feature\n');
    sh(fx.repo, 'add', '-A');
    sh(fx.repo, 'commit', '--quiet', '-m', 'feature');
    const tip = sh(fx.repo, 'rev-parse', 'HEAD').trim();
    sh(fx.repo, 'switch', '--quiet', 'main');

    const wt = await fx.git.ensureWorktree({
      repoPath: fx.repo,
      loopId: 'loop_2',
      branch: 'looper/2-existing',
      baseBranch: 'main',
    });

    expect(wt.created).toBe(true);
    expect(wt.baseBranch).toBeNull();
    expect(await fx.git.headSha(wt.path)).toBe(tip);
  });

  it('falls back to the current branch when the base is missing and says so', async () => {
    const wt = await fx.git.ensureWorktree({
      repoPath: fx.repo,
      loopId: 'loop_3',
      branch: 'looper/3-x',
      baseBranch: 'develop',
    });

    expect(wt.baseBranch).toBe('main');
    expect(wt.baseFallback).toBe(true);
    expect(await fx.git.currentBranch(fx.repo)).toBe('main');
  });

  it('refuses a path that is not a git repository', async () => {
    const plain = path.join(fx.root, 'plain');
    fs.mkdirSync(plain);

    const error = await rejection(
      fx.git.ensureWorktree({ repoPath: plain, loopId: 'loop_4', branch: 'looper/4' }),
    );

    expect(error.code).toBe('validation_failed');
  });

  it('reports a branch checked out in another worktree as a conflict', async () => {
    sh(fx.repo, 'switch', '--quiet', '-c', 'looper/5-busy');

    const error = await rejection(
      fx.git.ensureWorktree({ repoPath: fx.repo, loopId: 'loop_5', branch: 'looper/5-busy' }),
    );

    expect(error.code).toBe('conflict');
  });
});

describe('commitAll', () => {
  async function worktree(): Promise<string> {
    const wt = await fx.git.ensureWorktree({
      repoPath: fx.repo,
      loopId: 'loop_c',
      branch: 'looper/9-commit',
      baseBranch: 'main',
    });
    return wt.path;
  }

  it('commits everything as Looper with the effect trailer', async () => {
    const wt = await worktree();
    fs.writeFileSync(path.join(wt, 'new.txt'), 'hello\n');
    fs.writeFileSync(path.join(wt, 'README.md'), '# changed\n');

    const result = await fx.git.commitAll({
      path: wt,
      message: 'Implement the thing',
      author: looper,
      effectKey: 'loop_c:working:1',
    });

    expect(result.committed).toBe(true);
    expect(result.sha).toBe(await fx.git.headSha(wt));
    const meta = sh(wt, 'log', '-1', '--format=%an <%ae>|%cn <%ce>|%at');
    expect(meta.trim()).toBe(`${looper}|${looper}|${Date.UTC(2030, 0, 2, 3, 4, 5) / 1000}`);
    const trailer = sh(wt, 'log', '-1', '--format=%(trailers:key=Looper-Effect,valueonly)');
    expect(trailer.trim()).toBe('loop_c:working:1');
    expect(await fx.git.isDirty(wt)).toBe(false);
  });

  it('does not commit twice for the same effect key', async () => {
    const wt = await worktree();
    fs.writeFileSync(path.join(wt, 'a.txt'), 'a\n');
    const input = { path: wt, message: 'Step', author: looper, effectKey: 'loop_c:pr_open:1' };
    const first = await fx.git.commitAll(input);
    fs.writeFileSync(path.join(wt, 'b.txt'), 'b\n');

    const second = await fx.git.commitAll(input);

    expect(second).toEqual({ sha: first.sha, committed: false });
    expect(sh(wt, 'rev-list', '--count', 'main..HEAD').trim()).toBe('1');
  });

  it('distinguishes effect keys that share a prefix', async () => {
    const wt = await worktree();
    fs.writeFileSync(path.join(wt, 'a.txt'), 'a\n');
    await fx.git.commitAll({ path: wt, message: 'one', author: looper, effectKey: 'k:1' });
    fs.writeFileSync(path.join(wt, 'b.txt'), 'b\n');

    const second = await fx.git.commitAll({
      path: wt,
      message: 'ten',
      author: looper,
      effectKey: 'k:10',
    });

    expect(second.committed).toBe(true);
  });

  it('returns HEAD without committing when nothing changed', async () => {
    const wt = await worktree();
    const head = await fx.git.headSha(wt);

    const result = await fx.git.commitAll({
      path: wt,
      message: 'nothing',
      author: looper,
      effectKey: 'loop_c:working:2',
    });

    expect(result).toEqual({ sha: head, committed: false });
  });

  it('ignores GIT_DIR and friends inherited from the caller', async () => {
    const wt = await worktree();
    const saved = process.env.GIT_DIR;
    process.env.GIT_DIR = path.join(fx.root, 'nowhere');
    try {
      expect(await fx.git.headSha(wt)).toMatch(/^[0-9a-f]{40}$/);
    } finally {
      if (saved === undefined) delete process.env.GIT_DIR;
      else process.env.GIT_DIR = saved;
    }
  });

  it('rejects an author that is not "Name <email>"', async () => {
    const wt = await worktree();
    const error = await rejection(
      fx.git.commitAll({ path: wt, message: 'm', author: 'looper', effectKey: 'k' }),
    );
    expect(error.code).toBe('validation_failed');
  });
});

describe('inspection', () => {
  it('shows the diff, stat, log and changed files since the base', async () => {
    const wt = await fx.git.ensureWorktree({
      repoPath: fx.repo,
      loopId: 'loop_d',
      branch: 'looper/4-diff',
      baseBranch: 'main',
    });
    fs.writeFileSync(path.join(wt.path, 'hello.txt'), 'hello world\n');
    const { sha } = await fx.git.commitAll({
      path: wt.path,
      message: 'Add hello',
      author: looper,
      effectKey: 'loop_d:working:1',
    });
    const range = { path: wt.path, base: 'main' };

    expect(await fx.git.diff(range)).toContain('+hello world');
    expect(await fx.git.diffStat(range)).toMatch(/hello\.txt \| 1 \+/);
    expect(await fx.git.log(range)).toEqual([{ sha, subject: 'Add hello', author: looper }]);
    expect(await fx.git.changedFiles(range)).toEqual(['hello.txt']);
  });

  it('reports a git failure with the stderr tail', async () => {
    const error = await rejection(fx.git.diff({ path: fx.repo, base: 'no-such-branch' }));
    expect(error.code).toBe('git_failed');
    expect((error.details as { stderr: string }).stderr).toContain('no-such-branch');
  });

  it('refuses a base that git would read as an option', async () => {
    const error = await rejection(fx.git.diff({ path: fx.repo, base: '--output=/tmp/x' }));
    expect(error.code).toBe('validation_failed');
  });
});

describe('removeWorktree', () => {
  async function worktree(): Promise<string> {
    const wt = await fx.git.ensureWorktree({
      repoPath: fx.repo,
      loopId: 'loop_r',
      branch: 'looper/6-remove',
      baseBranch: 'main',
    });
    return wt.path;
  }

  it('never removes a dirty worktree without force', async () => {
    const wt = await worktree();
    fs.writeFileSync(path.join(wt, 'unsaved.txt'), 'precious\n');

    const error = await rejection(fx.git.removeWorktree({ repoPath: fx.repo, path: wt }));

    expect(error.code).toBe('dirty_worktree');
    expect(fs.readFileSync(path.join(wt, 'unsaved.txt'), 'utf8')).toBe('precious\n');
  });

  it('removes a dirty worktree with force but keeps the branch', async () => {
    const wt = await worktree();
    fs.writeFileSync(path.join(wt, 'unsaved.txt'), 'scratch\n');

    const result = await fx.git.removeWorktree({ repoPath: fx.repo, path: wt, force: true });

    expect(result).toEqual({ removed: true });
    expect(fs.existsSync(wt)).toBe(false);
    expect(sh(fx.repo, 'branch', '--list', 'looper/6-remove').trim()).toBe('looper/6-remove');
  });

  it('removes a clean worktree (ignored files do not count as dirty)', async () => {
    const wt = await worktree();
    fs.mkdirSync(path.join(wt, 'node_modules'));
    fs.writeFileSync(path.join(wt, 'node_modules', 'dep.js'), '');

    expect(await fx.git.isDirty(wt)).toBe(false);
    expect(await fx.git.removeWorktree({ repoPath: fx.repo, path: wt })).toEqual({ removed: true });
    expect(sh(fx.repo, 'worktree', 'list', '--porcelain')).not.toContain(wt);
  });

  it('refuses to remove the main working tree', async () => {
    const error = await rejection(
      fx.git.removeWorktree({ repoPath: fx.repo, path: fx.repo, force: true }),
    );
    expect(error.code).toBe('validation_failed');
    expect(fs.existsSync(path.join(fx.repo, 'README.md'))).toBe(true);
  });
});
