// CI on GitHub: check runs (Apps' CI) and commit statuses (tokens' CI, and Looper's own) for a SHA,
// read both and folded into one verdict; Looper reports its own checks as commit statuses.
import { aggregateChecks, checkStateOfStatus } from '../checks.js';
import type { CheckItem, CheckState, CommitStatus, ForgeChecks, ProjectRef } from '../forge.js';
import { call, type GitHubContext, parse, repoOf } from './context.js';
import { CheckRuns, CombinedStatus } from './schemas.js';

const passing = new Set(['success', 'neutral', 'skipped']);

function checkRunState(status: string, conclusion: string | null): CheckState {
  if (status !== 'completed') return 'pending';
  // `stale` is GitHub's "no result any more": wait for a rerun rather than call it red.
  if (conclusion === null || conclusion === 'stale') return 'pending';
  return passing.has(conclusion) ? 'success' : 'failure';
}

export function createChecks(ctx: GitHubContext) {
  const getChecks = async (project: ProjectRef, sha: string): Promise<ForgeChecks> => {
    const { owner, repo } = repoOf(project);
    const runs = await call('list check runs', () =>
      ctx.client.paginate(ctx.client.rest.checks.listForRef, {
        owner,
        repo,
        ref: sha,
        per_page: 100,
      }),
    );
    const { data: combined } = await call('get the combined status', () =>
      ctx.client.rest.repos.getCombinedStatusForRef({ owner, repo, ref: sha, per_page: 100 }),
    );
    const items: CheckItem[] = [
      ...parse(CheckRuns.shape.check_runs, runs, 'list check runs').map((run) => ({
        name: run.name,
        state: checkRunState(run.status, run.conclusion),
        description: run.output?.title ?? run.conclusion ?? run.status,
        id: run.id,
        detailsUrl: run.details_url ?? null,
      })),
      ...parse(CombinedStatus, combined, 'combined status').statuses.map((s) => ({
        name: s.context,
        state: checkStateOfStatus(s.state),
        description: s.description ?? '',
        detailsUrl: s.target_url ?? null,
      })),
    ];
    return { state: aggregateChecks(items), items };
  };

  const setCommitStatus = async (project: ProjectRef, sha: string, status: CommitStatus) => {
    const { owner, repo } = repoOf(project);
    await call('set a commit status', () =>
      ctx.client.rest.repos.createCommitStatus({
        owner,
        repo,
        sha,
        state: status.state,
        context: status.context,
        // GitHub refuses descriptions over 140 characters.
        description:
          status.description.length > 140
            ? `${status.description.slice(0, 139)}…`
            : status.description,
        ...(status.targetUrl ? { target_url: status.targetUrl } : {}),
      }),
    );
  };

  return { getChecks, setCommitStatus };
}
