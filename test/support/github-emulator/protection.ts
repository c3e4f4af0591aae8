// Branch protection, minimally: the status checks a merge into a branch needs green on the head.
// A check is the latest check run of that name or the latest commit status of that context.
import type { EmRepo } from './state.js';

export type CheckVerdict = 'success' | 'pending' | 'failure';

const passing: ReadonlySet<string> = new Set(['success', 'neutral', 'skipped']);

/** The verdict of check `name` on `sha`; null when nothing reported it. */
export function checkVerdict(repo: EmRepo, sha: string, name: string): CheckVerdict | null {
  const run = repo.checkRuns.filter((r) => r.sha === sha && r.name === name).at(-1);
  const status = repo.statuses.filter((s) => s.sha === sha && s.context === name).at(-1);
  const verdicts: CheckVerdict[] = [];
  if (run) {
    if (run.status !== 'completed') verdicts.push('pending');
    else verdicts.push(passing.has(run.conclusion ?? '') ? 'success' : 'failure');
  }
  if (status) {
    if (status.state === 'pending') verdicts.push('pending');
    else verdicts.push(status.state === 'success' ? 'success' : 'failure');
  }
  if (verdicts.length === 0) return null;
  if (verdicts.includes('failure')) return 'failure';
  return verdicts.includes('pending') ? 'pending' : 'success';
}

export function requiredChecks(repo: EmRepo, branch: string): string[] {
  return repo.protections?.get(branch)?.requiredChecks ?? [];
}

/** The first required check that is not green on `sha`; null when every one is. */
export function unmetCheck(
  repo: EmRepo,
  branch: string,
  sha: string,
): { name: string; verdict: 'pending' | 'failure' | 'missing' } | null {
  for (const name of requiredChecks(repo, branch)) {
    const verdict = checkVerdict(repo, sha, name);
    if (verdict !== 'success') return { name, verdict: verdict ?? 'missing' };
  }
  return null;
}

/** A check outside the required ones is failing or pending on `sha` (GitHub's "unstable"). */
export function otherChecksUnsettled(repo: EmRepo, branch: string, sha: string): boolean {
  const required = new Set(requiredChecks(repo, branch));
  const names = new Set([
    ...repo.checkRuns.filter((r) => r.sha === sha).map((r) => r.name),
    ...repo.statuses.filter((s) => s.sha === sha).map((s) => s.context),
  ]);
  return [...names].some(
    (name) => !required.has(name) && checkVerdict(repo, sha, name) !== 'success',
  );
}

/** GitHub's mergeable_state of an open, conflict-free, non-draft pull. */
export function readyState(
  repo: EmRepo,
  branch: string,
  sha: string,
): 'clean' | 'blocked' | 'unstable' {
  if (unmetCheck(repo, branch, sha)) return 'blocked';
  return otherChecksUnsettled(repo, branch, sha) ? 'unstable' : 'clean';
}
