// Read-only questions about a worktree: is it dirty, where is HEAD, what changed since the base.
// The runner uses them for prompts, PR bodies and progress checks.
import { LooperError } from '../domain/index.js';
import { assertRevName, type GitContext } from './repo.js';
import { runGit } from './run-git.js';
import type { CommitInfo, RangeInput } from './types.js';

const diffFlags = ['--no-color', '--no-ext-diff', '--no-textconv'] as const;

export async function isDirty(ctx: GitContext, path: string): Promise<boolean> {
  const { stdout } = await runGit(['status', '--porcelain', '--untracked-files=all'], {
    cwd: path,
    timeoutMs: ctx.timeoutMs,
  });
  return stdout.trim() !== '';
}

export async function headSha(ctx: GitContext, path: string): Promise<string> {
  const result = await runGit(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], {
    cwd: path,
    timeoutMs: ctx.timeoutMs,
    okCodes: [1],
  });
  if (result.code !== 0) {
    throw new LooperError('git_failed', 'HEAD has no commit yet', { details: { path } });
  }
  return result.stdout.trim();
}

export async function diff(ctx: GitContext, input: RangeInput): Promise<string> {
  const { stdout } = await runGit(['diff', ...diffFlags, symmetric(input.base)], opts(ctx, input));
  return stdout;
}

export async function diffStat(ctx: GitContext, input: RangeInput): Promise<string> {
  const { stdout } = await runGit(
    ['diff', ...diffFlags, '--stat', symmetric(input.base)],
    opts(ctx, input),
  );
  return stdout;
}

export async function changedFiles(ctx: GitContext, input: RangeInput): Promise<string[]> {
  const { stdout } = await runGit(
    ['diff', ...diffFlags, '--name-only', '--no-renames', '-z', symmetric(input.base)],
    opts(ctx, input),
  );
  return stdout.split('\0').filter((name) => name !== '');
}

export async function log(ctx: GitContext, input: RangeInput): Promise<CommitInfo[]> {
  assertRevName(input.base);
  const { stdout } = await runGit(
    ['log', '--no-color', '--format=%H%x1f%s%x1f%an <%ae>%x1e', `${input.base}..HEAD`],
    opts(ctx, input),
  );
  const commits: CommitInfo[] = [];
  for (const record of stdout.split('\x1e')) {
    const [sha, subject, author] = record.trim().split('\x1f');
    if (sha && subject !== undefined && author !== undefined) {
      commits.push({ sha, subject, author });
    }
  }
  return commits;
}

function symmetric(base: string): string {
  assertRevName(base);
  return `${base}...HEAD`;
}

function opts(ctx: GitContext, input: RangeInput): { cwd: string; timeoutMs: number } {
  return { cwd: input.path, timeoutMs: ctx.timeoutMs };
}
