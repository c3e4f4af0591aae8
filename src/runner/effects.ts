// Applies a transition's effects (commit the spec, open the PR, publish a review, labels, tracking
// comment, cleanup). Each is idempotent: replaying one after a crash finds its earlier result (commit
// trailer, PR by head branch, comment and review by key) instead of repeating it.
import { type LoopEffect, stateLabels } from '../domain/index.js';
import type { LoopRecord } from '../store/index.js';
import type { RunnerDeps } from './deps.js';
import type { LoopContext } from './loop-context.js';
import { renderTracking, trackingKey } from './tracking.js';

export interface EffectPatch {
  prNumber?: number;
}

export function prBody(loop: LoopRecord, summary: string): string {
  return [`Closes #${loop.number}`, '', summary, '', `<!-- looper:loop=${loop.id} -->`].join('\n');
}

export async function ensurePullRequest(
  deps: RunnerDeps,
  ctx: LoopContext,
  summary: string,
): Promise<number> {
  // A PR loop works on a PR that exists already.
  if (ctx.loop.kind !== 'issue' && ctx.loop.prNumber !== null) return ctx.loop.prNumber;
  const existing = await ctx.forge.findPullRequest(ctx.ref, { head: ctx.branch });
  if (existing && (existing.state === 'draft' || existing.state === 'open')) return existing.number;
  if (existing?.state === 'closed') {
    // The issue was labelled again after its PR was closed: the same PR comes back (SPEC §2).
    await ctx.forge.updatePullRequest(ctx.ref, existing.number, { state: 'open' });
    await deps.events.emit({
      loopId: ctx.loop.id,
      type: 'pr.reopened',
      data: { project_id: ctx.project.id, number: existing.number, head: ctx.branch },
    });
    return existing.number;
  }
  const pr = await ctx.forge.openPullRequest(ctx.ref, {
    head: ctx.branch,
    // The PR's base is the branch name on the forge, not the ref Looper branches from (origin/main).
    base: ctx.project.baseBranch,
    title: `[Looper] ${ctx.loop.title}`,
    body: prBody(ctx.loop, summary),
    draft: true,
  });
  // Counted by the scheduler against `loop.max-new-prs-per-hour`.
  await deps.events.emit({
    loopId: ctx.loop.id,
    type: 'pr.opened',
    data: { project_id: ctx.project.id, number: pr.number, head: ctx.branch },
  });
  return pr.number;
}

async function applyOne(
  deps: RunnerDeps,
  ctx: LoopContext,
  effect: LoopEffect,
  patch: EffectPatch,
): Promise<void> {
  const { loop, ref } = ctx;
  const prNumber = patch.prNumber ?? loop.prNumber;
  switch (effect.type) {
    case 'commit_spec': {
      const author = deps.config.loop['commit-author'];
      const key = `${loop.id}:spec:${loop.state.planRounds}`;
      const commit = await deps.git.commitAll({
        path: ctx.worktree,
        message: `Add spec for #${loop.number}: ${loop.title}`,
        author,
        effectKey: key,
      });
      await deps.events.emit({
        loopId: loop.id,
        type: 'git.commit',
        data: { sha: commit.sha, committed: commit.committed, what: 'spec' },
      });
      await pushBranch(deps, ctx);
      patch.prNumber = await ensurePullRequest(deps, ctx, `Spec: \`${ctx.specPath}\``);
      return;
    }
    case 'publish_review': {
      if (prNumber === null) return;
      const headSha = await deps.git.headSha(ctx.worktree);
      await ctx.forge.publishReview(ref, prNumber, {
        key: `${loop.id}:review:${headSha}`,
        headSha,
        // Looper never approves its own PR: an approval is published as a comment review.
        verdict: effect.verdict === 'approve' ? 'comment' : 'request_changes',
        body: effect.summary,
        comments: effect.comments,
      });
      await deps.events.emit({
        loopId: loop.id,
        type: 'review.published',
        data: { number: prNumber, sha: headSha, verdict: effect.verdict },
      });
      return;
    }
    case 'auto_merge':
      if (prNumber !== null) await autoMerge(deps, ctx, prNumber);
      return;
    case 'remove_label':
      await ctx.forge.removeLabel(ref, loop.number, effect.label);
      return;
    case 'mark_ready':
      if (prNumber === null) return;
      await ctx.forge.markReady(ref, prNumber);
      if (ctx.requestReviewers) await ctx.requestReviewers(ref, prNumber);
      return;
    case 'set_state_label':
      // A review loop only comments on someone's PR; the state labels are for loops that change it.
      if (loop.kind === 'review') return;
      await ctx.forge.setStateLabel(ref, loop.number, stateLabels[effect.stage]);
      return;
    case 'report': {
      const pr = prNumber === null ? null : await ctx.forge.getPullRequest(ref, prNumber);
      await ctx.forge.upsertComment(
        ref,
        loop.number,
        trackingKey,
        renderTracking(loop, deps.clock.now(), pr?.url ?? null),
      );
      // The stage change is announced last, once the forge shows it (PR out of draft, labels,
      // comment), and from the pending effects, so a crash before it replays it instead of losing it.
      if (effect.from !== effect.stage) {
        await deps.events.emit({
          loopId: loop.id,
          type: 'loop.stage',
          data: {
            from: effect.from,
            to: effect.stage,
            paused: loop.state.paused,
            reason: effect.reason,
            attempt: loop.state.attempt,
          },
        });
      }
      return;
    }
    case 'cleanup_worktree':
      await cleanupWorktree(deps, ctx);
      return;
    case 'stop_agent':
    case 'continue':
    case 'retry_later':
      return;
    default: {
      const never: never = effect;
      throw new Error(`unknown effect ${JSON.stringify(never)}`);
    }
  }
}

/**
 * `loop.auto-merge` at `ready`: GitHub merges once branch protection is satisfied. Best effort: a
 * repository that does not allow it, or a forge without it, is reported as an event, never a failure
 * of a loop whose work is done.
 */
async function autoMerge(deps: RunnerDeps, ctx: LoopContext, prNumber: number): Promise<void> {
  const emit = (data: Record<string, unknown>) =>
    deps.events.emit({
      loopId: ctx.loop.id,
      type: 'pr.auto_merge',
      data: { number: prNumber, ...data },
    });
  if (!ctx.autoMerge) {
    await emit({ status: 'refused', reason: `the ${ctx.forge.kind} forge has no auto-merge` });
    return;
  }
  try {
    await emit({ ...(await ctx.autoMerge(ctx.ref, prNumber)) });
  } catch (error) {
    await emit({
      status: 'failed',
      reason: error instanceof Error ? error.message : String(error),
    });
  }
}

/** Pushes the loop's branch when the project lives on a hosted forge; a no-op for local projects. */
export async function pushBranch(deps: RunnerDeps, ctx: LoopContext): Promise<void> {
  if (ctx.push === null) return;
  const result = await deps.git.push({
    path: ctx.worktree,
    branch: ctx.branch,
    auth: ctx.push.auth,
  });
  await deps.events.emit({
    loopId: ctx.loop.id,
    type: 'git.push',
    data: { branch: ctx.branch, sha: result.sha, pushed: result.pushed },
  });
}

async function cleanupWorktree(deps: RunnerDeps, ctx: LoopContext): Promise<void> {
  const record = await deps.store.worktrees.getWorktree(ctx.loop.id);
  if (record === null || record.removedAt !== null || ctx.worktree === '') return;
  const keep = (reason: string) =>
    deps.events.emit({
      loopId: ctx.loop.id,
      type: 'worktree.kept',
      data: { path: ctx.worktree, reason },
    });
  try {
    if (await deps.git.isDirty(ctx.worktree)) {
      await keep('dirty');
      return;
    }
    await deps.git.removeWorktree({ repoPath: record.repoPath, path: ctx.worktree });
  } catch (error) {
    // A worktree still being set up (a cancel right at the start) is left for `looper worktree
    // cleanup`; the loop's own stop must not fail for it.
    await keep(error instanceof Error ? error.message : String(error));
    return;
  }
  await deps.store.worktrees.markWorktreeRemoved(ctx.loop.id);
  await deps.events.emit({
    loopId: ctx.loop.id,
    type: 'worktree.removed',
    data: { path: ctx.worktree },
  });
}

/** Applies effects in order; returns what the loop row must remember (the PR number). */
export async function applyEffects(
  deps: RunnerDeps,
  ctx: LoopContext,
  effects: LoopEffect[],
): Promise<EffectPatch> {
  const patch: EffectPatch = {};
  for (const effect of effects) await applyOne(deps, ctx, effect, patch);
  return patch;
}
