// Remotes: the clone Looper works from (for forge projects without a local path), fetches, and pushes
// with --force-with-lease. Credentials travel as an HTTP header in git's environment for that one
// process (GIT_CONFIG_*), never in a remote URL, a config file, or the agent's environment.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LooperError } from '../domain/index.js';
import type { GitContext } from './repo.js';
import { runGit, runGitRaw } from './run-git.js';
import { isAncestor } from './sync.js';

/** Token for HTTPS remotes; omitted for local or SSH remotes. */
export interface GitAuth {
  token: string;
}

export interface EnsureCloneInput {
  url: string;
  dir: string;
  auth?: GitAuth;
}

export interface PushInput {
  /** The worktree whose HEAD is pushed. */
  path: string;
  branch: string;
  remote?: string;
  auth?: GitAuth;
}

export interface PushResult {
  sha: string;
  /** False when the remote branch already pointed at HEAD (a replayed push). */
  pushed: boolean;
}

export function authEnv(auth: GitAuth | undefined): Record<string, string> {
  if (!auth || auth.token === '') return {};
  const basic = Buffer.from(`x-access-token:${auth.token}`).toString('base64');
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
}

function scrub(error: unknown, auth: GitAuth | undefined): never {
  if (error instanceof LooperError && auth?.token) {
    const text = JSON.stringify(error.details ?? {})
      .split(auth.token)
      .join('****');
    throw new LooperError(error.code, error.message.split(auth.token).join('****'), {
      details: JSON.parse(text),
    });
  }
  throw error;
}

/** Clones `url` into `dir` once, then fetches; returns the clone's path. */
export async function ensureClone(ctx: GitContext, input: EnsureCloneInput): Promise<string> {
  const env = authEnv(input.auth);
  try {
    if (!existsSync(input.dir)) {
      mkdirSync(dirname(input.dir), { recursive: true });
      await runGit(['clone', '--no-tags', '--quiet', input.url, input.dir], {
        cwd: dirname(input.dir),
        timeoutMs: ctx.timeoutMs,
        env,
      });
      return input.dir;
    }
    await runGit(['fetch', '--prune', '--quiet', 'origin'], {
      cwd: input.dir,
      timeoutMs: ctx.timeoutMs,
      env,
    });
    return input.dir;
  } catch (error) {
    scrub(error, input.auth);
  }
}

export interface FetchRefInput {
  /** The clone to fetch into. */
  repoPath: string;
  /** A ref on the remote, e.g. `refs/pull/12/head` (a PR's head, kept by GitHub in the base repo). */
  ref: string;
  /** Where to keep it locally, e.g. `refs/remotes/origin/pull/12`. */
  to: string;
  auth?: GitAuth;
}

/** Fetches one remote ref (forced: a PR's head may be rewritten) and returns its sha. */
export async function fetchRef(ctx: GitContext, input: FetchRefInput): Promise<string> {
  try {
    await runGit(['fetch', '--quiet', 'origin', `+${input.ref}:${input.to}`], {
      cwd: input.repoPath,
      timeoutMs: ctx.timeoutMs,
      env: authEnv(input.auth),
    });
    const { stdout } = await runGit(['rev-parse', input.to], {
      cwd: input.repoPath,
      timeoutMs: ctx.timeoutMs,
    });
    return stdout.trim();
  } catch (error) {
    scrub(error, input.auth);
  }
}

/** The sha a remote branch points at, or null when it does not exist. */
export async function remoteBranchSha(
  ctx: GitContext,
  path: string,
  branch: string,
  auth?: GitAuth,
  remote = 'origin',
): Promise<string | null> {
  try {
    const { stdout } = await runGit(['ls-remote', remote, `refs/heads/${branch}`], {
      cwd: path,
      timeoutMs: ctx.timeoutMs,
      env: authEnv(auth),
    });
    const sha = stdout.trim().split(/\s+/)[0];
    return sha ? sha : null;
  } catch (error) {
    scrub(error, auth);
  }
}

/**
 * Pushes HEAD to `branch` with --force-with-lease against what Looper last saw of it, so a human's
 * push in between is never overwritten. A replay whose HEAD is already there pushes nothing.
 */
export async function push(ctx: GitContext, input: PushInput): Promise<PushResult> {
  const remote = input.remote ?? 'origin';
  const head = (
    await runGit(['rev-parse', 'HEAD'], { cwd: input.path, timeoutMs: ctx.timeoutMs })
  ).stdout.trim();
  const current = await remoteBranchSha(ctx, input.path, input.branch, input.auth, remote);
  if (current === head) return { sha: head, pushed: false };
  // Never drop commits: a branch someone pushed to is caught up with (`syncToRef`) before Looper
  // builds on it, so a remote head that HEAD does not contain means the branch diverged.
  if (current !== null && !(await isAncestor(ctx, input.path, current, head))) {
    throw new LooperError(
      'conflict',
      `push of ${input.branch} was refused: the remote branch has commits this branch lacks`,
      { details: { branch: input.branch, remote: current, head } },
    );
  }
  // The lease is the remote-tracking ref: what Looper last pushed or fetched. A branch someone else
  // moved since then is refused rather than overwritten.
  const tracking = await runGitRaw(
    ['rev-parse', '--verify', '--quiet', `refs/remotes/${remote}/${input.branch}`],
    { cwd: input.path, timeoutMs: ctx.timeoutMs },
  );
  const expected = tracking.code === 0 ? tracking.stdout.trim() : '';
  const lease = `--force-with-lease=refs/heads/${input.branch}:${expected}`;
  const result = await runGitRaw(
    ['push', '--quiet', '--no-verify', lease, remote, `HEAD:refs/heads/${input.branch}`],
    {
      cwd: input.path,
      timeoutMs: ctx.timeoutMs,
      env: authEnv(input.auth),
    },
  );
  if (result.code !== 0) {
    const stderr = input.auth?.token
      ? result.stderr.split(input.auth.token).join('****')
      : result.stderr;
    const rejected = /stale info|rejected|non-fast-forward/.test(stderr);
    throw new LooperError(
      rejected ? 'conflict' : 'git_failed',
      rejected
        ? `push of ${input.branch} was refused: the remote branch moved`
        : `git push of ${input.branch} failed`,
      {
        details: { stderr: stderr.trim().slice(-2000), branch: input.branch },
      },
    );
  }
  return { sha: head, pushed: true };
}
