// Small shared queries about a repository (is it one, which branch, which refs exist) used by the
// worktree, commit and inspection code.
import fs from 'node:fs';
import path from 'node:path';
import { LooperError } from '../domain/index.js';
import { runGit, runGitRaw } from './run-git.js';

export interface GitContext {
  dataDir: string;
  timeoutMs: number;
  now?: () => number;
}

/** Throws LooperError('validation_failed') unless `repoPath` is inside a git repository. */
export async function assertRepo(ctx: GitContext, repoPath: string): Promise<void> {
  if (!isDirectory(repoPath)) {
    throw new LooperError('validation_failed', `not a directory: ${repoPath}`, {
      details: { repoPath },
    });
  }
  const result = await runGitRaw(['rev-parse', '--git-dir'], {
    cwd: repoPath,
    timeoutMs: ctx.timeoutMs,
  });
  if (result.code !== 0) {
    throw new LooperError('validation_failed', `not a git repository: ${repoPath}`, {
      details: { repoPath, stderr: result.stderr.trim() },
    });
  }
}

export async function currentBranchOf(ctx: GitContext, repoPath: string): Promise<string | null> {
  const result = await runGit(['symbolic-ref', '--quiet', '--short', 'HEAD'], {
    cwd: repoPath,
    timeoutMs: ctx.timeoutMs,
    okCodes: [1],
  });
  return result.code === 0 ? result.stdout.trim() : null;
}

/** The commit a revision names, or `null` when it names none (missing ref, unborn HEAD). */
export async function resolveCommit(
  ctx: GitContext,
  cwd: string,
  rev: string,
): Promise<string | null> {
  assertRevName(rev);
  const result = await runGit(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], {
    cwd,
    timeoutMs: ctx.timeoutMs,
    okCodes: [1],
  });
  return result.code === 0 ? result.stdout.trim() : null;
}

export async function branchExists(ctx: GitContext, cwd: string, branch: string): Promise<boolean> {
  const result = await runGit(['show-ref', '--verify', '--quiet', `refs/heads/${branch}`], {
    cwd,
    timeoutMs: ctx.timeoutMs,
    okCodes: [1],
  });
  return result.code === 0;
}

export async function assertBranchName(
  ctx: GitContext,
  cwd: string,
  branch: string,
): Promise<void> {
  const result = await runGitRaw(['check-ref-format', '--branch', branch], {
    cwd,
    timeoutMs: ctx.timeoutMs,
  });
  if (branch.startsWith('-') || result.code !== 0) {
    throw new LooperError('validation_failed', `invalid branch name: ${branch}`, {
      details: { branch },
    });
  }
}

/** Revisions are passed as arguments; refuse anything git could read as an option. */
export function assertRevName(rev: string): void {
  if (rev === '' || rev.startsWith('-') || /\s/.test(rev) || hasControlChars(rev)) {
    throw new LooperError('validation_failed', `invalid revision: ${JSON.stringify(rev)}`, {
      details: { rev },
    });
  }
}

export function hasControlChars(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

export function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Compares paths after resolving symlinks (e.g. macOS /tmp → /private/tmp) where they exist. */
export function samePath(a: string, b: string): boolean {
  return realOrResolved(a) === realOrResolved(b);
}

function realOrResolved(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}
