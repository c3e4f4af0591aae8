// Pull request facts computed from the repo's bare git repository: current head/base SHAs, the diff
// GitHub would show, and mergeability, which (like GitHub) is null on the first read after a push.
import { type EmulatedDiffFile, splitDiff } from './diff.js';
import { git, mergeBase, mergesCleanly, prDiff, resolveRef } from './git.js';
import type { PullDetails } from './json-pulls.js';
import type { EmIssue, EmPull, EmRepo } from './state.js';

/** Follows pushes: an open PR's head and base track their branches. */
export async function refreshPull(repo: EmRepo, issue: EmIssue, pull: EmPull): Promise<void> {
  if (issue.state !== 'open') return;
  pull.headSha = (await resolveRef(repo.gitDir, `refs/heads/${pull.head}`)) ?? pull.headSha;
  pull.baseSha = (await resolveRef(repo.gitDir, `refs/heads/${pull.base}`)) ?? pull.baseSha;
  await updatePullRef(repo, pull);
}

/** Like GitHub, the base repo keeps `refs/pull/<n>/head` at the PR's head (a fork's PR too). */
export async function updatePullRef(repo: EmRepo, pull: EmPull): Promise<void> {
  const ref = `refs/pull/${pull.number}/head`;
  if ((await resolveRef(repo.gitDir, ref)) !== pull.headSha) {
    await git(repo.gitDir, ['update-ref', ref, pull.headSha]);
  }
}

/**
 * GitHub computes mergeability in the background after a push: the first read for a new
 * (base, head) pair answers null and starts the job; a later read has the result.
 */
export async function readMergeable(
  repo: EmRepo,
  issue: EmIssue,
  pull: EmPull,
): Promise<boolean | null> {
  if (issue.state !== 'open') return null;
  const key = `${pull.baseSha}..${pull.headSha}`;
  if (pull.mergeability?.key !== key) {
    pull.mergeability = { key, value: null };
    return null;
  }
  if (pull.mergeability.value === null) {
    pull.mergeability.value = await mergesCleanly(repo.gitDir, pull.baseSha, pull.headSha);
  }
  return pull.mergeability.value;
}

export async function diffFiles(
  repo: EmRepo,
  pull: EmPull,
  headSha = pull.headSha,
): Promise<EmulatedDiffFile[]> {
  return splitDiff(await prDiff(repo.gitDir, pull.baseSha, headSha));
}

export async function pullDetails(
  repo: EmRepo,
  issue: EmIssue,
  pull: EmPull,
): Promise<PullDetails> {
  const files = await diffFiles(repo, pull);
  const base = (await mergeBase(repo.gitDir, pull.baseSha, pull.headSha)) ?? pull.baseSha;
  const count = await git(repo.gitDir, ['rev-list', '--count', `${base}..${pull.headSha}`]);
  return {
    mergeable: await readMergeable(repo, issue, pull),
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
    changedFiles: files.length,
    commits: Number(count.stdout.trim()),
  };
}
