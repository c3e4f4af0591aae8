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
