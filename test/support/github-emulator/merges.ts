// Merging pull requests as GitHub does: a real merge, squash or rebase in the bare git repository,
// refused (405/409) like GitHub; and auto-merge, which waits for the base branch's required checks
// and merges once they pass.
import {
  commitInfo,
  commitsBetween,
  commitTree,
  mergeBase,
  mergesCleanly,
  mergeTree,
  updateRef,
} from './git.js';
import { recordMerged, setIssueState } from './mutations.js';
import { otherChecksUnsettled, unmetCheck } from './protection.js';
import { refreshPull } from './pulls.js';
import { HttpError } from './router.js';
import {
  type EmIssue,
  type EmMergeMethod,
  type EmPull,
  type EmRepo,
  type EmulatorState,
  inBackground,
} from './state.js';

export interface MergeInput {
  method: EmMergeMethod;
  by: string;
  /** The head the merge must be of (409 otherwise). */
  sha?: string;
  title?: string;
  message?: string;
}

const notMergeable = () => new HttpError(405, 'Pull Request is not mergeable');

/** The owner the head branch is labelled with (a fork's owner). */
export function headOwner(repo: EmRepo, pull: EmPull): string {
  return pull.headRepo?.split('/')[0] ?? repo.owner;
}

async function writeCommit(
  repo: EmRepo,
  issue: EmIssue,
  pull: EmPull,
  tree: string,
  input: MergeInput,
): Promise<string> {
  const extra = input.message ? `\n\n${input.message}` : '';
  if (input.method === 'merge') {
    const title =
      input.title ??
      `Merge pull request #${pull.number} from ${headOwner(repo, pull)}/${pull.head}`;
    return commitTree(repo.gitDir, {
      tree,
      parents: [pull.baseSha, pull.headSha],
      message: `${title}\n\n${input.message ?? issue.title}`,
    });
  }
  if (input.method === 'squash') {
    const title = input.title ?? `${issue.title} (#${pull.number})`;
    return commitTree(repo.gitDir, { tree, parents: [pull.baseSha], message: `${title}${extra}` });
  }
  // Rebase: each commit replayed on the base tip. For a linear branch, merging the base with the
  // k-th commit (over their merge base) gives exactly the k-th rebased tree.
  const base = (await mergeBase(repo.gitDir, pull.baseSha, pull.headSha)) ?? pull.baseSha;
  let parent = pull.baseSha;
  for (const commit of await commitsBetween(repo.gitDir, base, pull.headSha)) {
    const replayed = await mergeTree(repo.gitDir, pull.baseSha, commit);
    if (replayed === null) throw notMergeable();
    const info = await commitInfo(repo.gitDir, commit);
    parent = await commitTree(repo.gitDir, {
      tree: replayed,
      parents: [parent],
      message: info.message,
      author: info.author,
    });
  }
  return parent;
}

/** `PUT /pulls/{n}/merge`: merges into the base branch; returns the new base commit. */
export async function mergePull(
  state: EmulatorState,
  repo: EmRepo,
  issue: EmIssue,
  pull: EmPull,
  input: MergeInput,
): Promise<string> {
  await refreshPull(repo, issue, pull);
  if (pull.merged || issue.state !== 'open') throw notMergeable();
  if (pull.draft) throw new HttpError(405, 'Pull Request is still a draft');
  if (input.sha !== undefined && input.sha !== pull.headSha) {
    throw new HttpError(409, 'Head branch was modified. Review and try the merge again.');
  }
  const unmet = unmetCheck(repo, pull.base, pull.headSha);
  if (unmet) {
    const how = unmet.verdict === 'failure' ? 'failing' : 'expected';
    throw new HttpError(405, `Required status check "${unmet.name}" is ${how}.`);
  }
  const tree = await mergeTree(repo.gitDir, pull.baseSha, pull.headSha);
  if (tree === null) throw notMergeable();
  const sha = await writeCommit(repo, issue, pull, tree, input);
  await updateRef(repo.gitDir, `refs/heads/${pull.base}`, sha, pull.baseSha);
  pull.merged = true;
  pull.mergedAt = Date.now();
  pull.mergedBy = input.by;
  pull.mergeCommitSha = sha;
  pull.autoMerge = null;
  recordMerged(state, repo, pull.number, input.by);
  setIssueState(state, repo, issue, 'closed', input.by);
  return sha;
}

/**
 * GraphQL `enablePullRequestAutoMerge`: GitHub's refusals carry its doubled "Pull request" prefix.
 * Returns the error message, or null when auto-merge is now enabled.
 */
export async function enableAutoMerge(
  repo: EmRepo,
  issue: EmIssue,
  pull: EmPull,
  input: { method: EmMergeMethod; by: string },
): Promise<string | null> {
  if (pull.merged) return 'Pull request Pull request is already merged';
  if (issue.state !== 'open') return 'Pull request Pull request is closed';
  if (!repo.allowAutoMerge) return 'Pull request Auto merge is not allowed for this repository';
  if (pull.draft) return 'Pull request Pull request is in draft status';
  await refreshPull(repo, issue, pull);
  if (pull.autoMerge) {
    pull.autoMerge.method = input.method;
    return null;
  }
  if (!(await mergesCleanly(repo.gitDir, pull.baseSha, pull.headSha))) {
    return 'Pull request Pull request is not mergeable';
  }
  if (unmetCheck(repo, pull.base, pull.headSha) === null) {
    const unstable = otherChecksUnsettled(repo, pull.base, pull.headSha);
    return `Pull request Pull request is in ${unstable ? 'unstable' : 'clean'} status`;
  }
  pull.autoMerge = { method: input.method, enabledBy: input.by, enabledAt: Date.now() };
  issue.updatedAt = Date.now();
  return null;
}

/** After a check changed: merges (in the background) each auto-merge pull whose checks passed. */
export function scheduleAutoMerges(state: EmulatorState, repo: EmRepo): void {
  if (![...repo.pulls.values()].some((p) => p.autoMerge)) return;
  inBackground(state, async () => {
    for (const pull of repo.pulls.values()) {
      const issue = repo.issues.get(pull.number);
      const auto = pull.autoMerge;
      if (!auto || !issue || issue.state !== 'open') continue;
      await refreshPull(repo, issue, pull);
      if (unmetCheck(repo, pull.base, pull.headSha)) continue;
      try {
        await mergePull(state, repo, issue, pull, { method: auto.method, by: auto.enabledBy });
      } catch (error) {
        // Still blocked (a conflict, a draft): auto-merge stays enabled, as on GitHub.
        if (!(error instanceof HttpError)) throw error;
      }
    }
  });
}
