// The emulator's git side: one bare repository per emulated repo, so clones and pushes are real and
// PR head SHAs, diffs and mergeability come from git itself (not from Looper's own diff parser).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Emulator',
  GIT_AUTHOR_EMAIL: 'emulator@localhost',
  GIT_COMMITTER_NAME: 'Emulator',
  GIT_COMMITTER_EMAIL: 'emulator@localhost',
  GIT_CONFIG_NOSYSTEM: '1',
};

export async function git(
  gitDir: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; okCodes?: number[] } = {},
): Promise<{ stdout: string; code: number }> {
  try {
    const child = run('git', ['--git-dir', gitDir, ...args], {
      env: { ...gitEnv, ...options.env },
      maxBuffer: 64 * 1024 * 1024,
    });
    if (options.input !== undefined) {
      child.child.stdin?.end(options.input);
    }
    const { stdout } = await child;
    return { stdout, code: 0 };
  } catch (error) {
    const failure = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failure.code === 'number' && options.okCodes?.includes(failure.code)) {
      return { stdout: failure.stdout ?? '', code: failure.code };
    }
    throw new Error(`git ${args.join(' ')} failed: ${failure.stderr ?? String(error)}`);
  }
}

export async function initBareRepo(gitDir: string, defaultBranch: string): Promise<void> {
  fs.mkdirSync(gitDir, { recursive: true });
  await run('git', ['init', '--bare', '--quiet', `--initial-branch=${defaultBranch}`, gitDir], {
    env: gitEnv,
  });
}

export async function resolveRef(gitDir: string, ref: string): Promise<string | null> {
  const { stdout, code } = await git(
    gitDir,
    ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`],
    {
      okCodes: [1, 128],
    },
  );
  return code === 0 ? stdout.trim() : null;
}

/**
 * Writes a commit on `branch` (created from `from` or empty) with `files` changed (null deletes),
 * without a working tree: a temporary index over the parent tree.
 */
export async function commitFiles(
  gitDir: string,
  input: { branch: string; files: Record<string, string | null>; message: string; from?: string },
): Promise<string> {
  const parent = (await resolveRef(gitDir, `refs/heads/${input.branch}`)) ?? input.from ?? null;
  const indexFile = path.join(gitDir, `emulator-index-${process.pid}-${Date.now()}`);
  const env = { GIT_INDEX_FILE: indexFile };
  try {
    if (parent) await git(gitDir, ['read-tree', parent], { env });
    for (const [file, content] of Object.entries(input.files)) {
      if (content === null) {
        await git(gitDir, ['update-index', '--force-remove', file], { env });
        continue;
      }
      const blob = (await git(gitDir, ['hash-object', '-w', '--stdin'], { input: content })).stdout;
      await git(gitDir, ['update-index', '--add', '--cacheinfo', `100644,${blob.trim()},${file}`], {
        env,
      });
    }
    const tree = (await git(gitDir, ['write-tree'], { env })).stdout.trim();
    const parents = parent ? ['-p', parent] : [];
    const sha = (
      await git(gitDir, ['commit-tree', tree, ...parents, '-m', input.message])
    ).stdout.trim();
    await git(gitDir, ['update-ref', `refs/heads/${input.branch}`, sha]);
    return sha;
  } finally {
    fs.rmSync(indexFile, { force: true });
  }
}

export async function mergeBase(gitDir: string, a: string, b: string): Promise<string | null> {
  const { stdout, code } = await git(gitDir, ['merge-base', a, b], { okCodes: [1] });
  return code === 0 ? stdout.trim() : null;
}

/** The PR diff as GitHub shows it: merge base of base and head against head, 3 lines of context. */
export async function prDiff(gitDir: string, baseSha: string, headSha: string): Promise<string> {
  const base = (await mergeBase(gitDir, baseSha, headSha)) ?? baseSha;
  return (await git(gitDir, ['diff', '--no-color', '--no-ext-diff', '-U3', '-M', base, headSha]))
    .stdout;
}

/** True when head merges cleanly into base (git merge-tree, no working tree). */
export async function mergesCleanly(
  gitDir: string,
  baseSha: string,
  headSha: string,
): Promise<boolean> {
  const { code } = await git(gitDir, ['merge-tree', '--write-tree', baseSha, headSha], {
    okCodes: [1],
  });
  return code === 0;
}

export async function commitExists(gitDir: string, sha: string): Promise<boolean> {
  return (await resolveRef(gitDir, sha)) !== null;
}

/** The tree of head merged into base (git merge-tree), or null when they conflict. */
export async function mergeTree(
  gitDir: string,
  baseSha: string,
  headSha: string,
): Promise<string | null> {
  const { stdout, code } = await git(gitDir, ['merge-tree', '--write-tree', baseSha, headSha], {
    okCodes: [1],
  });
  return code === 0 ? (stdout.split('\n')[0] ?? '').trim() : null;
}

export interface CommitAuthor {
  name: string;
  email: string;
  /** ISO date. */
  date: string;
}

export async function commitTree(
  gitDir: string,
  input: { tree: string; parents: string[]; message: string; author?: CommitAuthor },
): Promise<string> {
  const parents = input.parents.flatMap((p) => ['-p', p]);
  const env = input.author
    ? {
        GIT_AUTHOR_NAME: input.author.name,
        GIT_AUTHOR_EMAIL: input.author.email,
        GIT_AUTHOR_DATE: input.author.date,
      }
    : {};
  const { stdout } = await git(
    gitDir,
    ['commit-tree', input.tree, ...parents, '-m', input.message],
    {
      env,
    },
  );
  return stdout.trim();
}

/** One commit's author and message. */
export async function commitInfo(
  gitDir: string,
  sha: string,
): Promise<{ author: CommitAuthor; message: string }> {
  const { stdout } = await git(gitDir, ['log', '-1', '--format=%an%x00%ae%x00%aI%x00%B', sha]);
  const [name = '', email = '', date = '', message = ''] = stdout.split('\0');
  return { author: { name, email, date }, message: message.trim() };
}

/** Commits of base..head, oldest first (first parents only). */
export async function commitsBetween(
  gitDir: string,
  base: string,
  head: string,
): Promise<string[]> {
  const { stdout } = await git(gitDir, [
    'rev-list',
    '--reverse',
    '--first-parent',
    `${base}..${head}`,
  ]);
  return stdout.split('\n').filter(Boolean);
}

/** Moves `ref` to `sha` only if it still points at `old` (a concurrent push fails the update). */
export async function updateRef(
  gitDir: string,
  ref: string,
  sha: string,
  old: string,
): Promise<void> {
  await git(gitDir, ['update-ref', ref, sha, old]);
}
