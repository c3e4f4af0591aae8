// The merge watch (SPEC §3.10): a `ready` loop is not the end. Its PR merged or closed ends it;
// people's feedback, red CI or a conflict send it back to fixing; a review loop reviews each new head
// and ends when its label is removed. Callers (the poller, webhook deliveries) ask only when the
// forge says something changed, so an idle PR costs nothing.
import { type LoopEvent, prLoopLabels } from '../domain/index.js';
import type { LoopRecord } from '../store/index.js';
import type { RunnerDeps } from './deps.js';
import { findFeedback, lastOf, loopEvents } from './feedback.js';
import { loadContext } from './loop-context.js';

/** The event a watched loop's PR calls for now, or null when nothing needs doing. */
export async function watchEvent(deps: RunnerDeps, loop: LoopRecord): Promise<LoopEvent | null> {
  if (loop.prNumber === null) return null;
  if (loop.stage !== 'ready' && loop.stage !== 'needs_human') return null;
  const ctx = await loadContext(deps, loop, false);
  const pr = await ctx.forge.getPullRequest(ctx.ref, loop.prNumber);
  if (pr.state === 'merged') return { type: 'pr_merged' };
  if (pr.state === 'closed') return { type: 'pr_closed' };
  if (loop.stage !== 'ready') return null;
  if (loop.kind === 'review') {
    if (pr.labels && !pr.labels.includes(prLoopLabels.review)) {
      return { type: 'cancel', reason: `the ${prLoopLabels.review} label was removed` };
    }
    const reviewed = await lastReviewedSha(deps, loop);
    return pr.headSha && pr.headSha !== reviewed ? { type: 'pr_updated', sha: pr.headSha } : null;
  }
  const sha = pr.headSha ?? (ctx.worktree ? await deps.git.headSha(ctx.worktree) : null);
  if (sha === null) return null;
  const feedback = await findFeedback(deps, ctx, sha);
  return feedback && 'event' in feedback ? feedback.event : null;
}

async function lastReviewedSha(deps: RunnerDeps, loop: LoopRecord): Promise<string | null> {
  const sha = lastOf(await loopEvents(deps, loop.id), 'review.published')?.data.sha;
  return typeof sha === 'string' ? sha : null;
}
