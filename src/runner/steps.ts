// One step per stage: run the stage's role or checks, or publish, and turn the outcome into the event
// the state machine takes next.
import {
  type LoopEvent,
  type ReviewComment,
  type ReviewResult,
  stepFor,
  textFingerprint,
} from '../domain/index.js';
import type { EventRecord, LoopOptions } from '../store/index.js';
import type { RunnerDeps } from './deps.js';
import { ensurePullRequest, pushBranch } from './effects.js';
import {
  findFeedback,
  lastOf,
  loopEvents,
  type PendingReview,
  pendingIn,
  prBase,
  settleFeedback,
} from './feedback.js';
import type { LoopContext } from './loop-context.js';
import { runChecks } from './run-checks.js';
import { type PromptExtras, type RoleRun, runRole } from './run-role.js';

export type StepResult =
  | {
      kind: 'event';
      event: LoopEvent;
      costUsd: number;
      patch?: { branch?: string; prNumber?: number; options?: LoopOptions };
    }
  | {
      kind: 'failed';
      failureClass: 'transient' | 'needs_human' | 'fatal';
      reason: string;
      costUsd: number;
    }
  | { kind: 'stopped' }
  | { kind: 'wait'; delayMs?: number }
  | { kind: 'none' };

/** How long a pending forge CI is waited on before asking again. */
const ciPollMs = 15_000;

function fromRole<R extends Parameters<typeof runRole>[2]>(
  run: RoleRun<R>,
  toEvent: (result: Extract<RoleRun<R>, { ok: true }>['result']) => LoopEvent,
): StepResult {
  if (run.ok) return { kind: 'event', event: toEvent(run.result), costUsd: run.costUsd };
  if (run.failureClass === 'cancelled') return { kind: 'stopped' };
  return {
    kind: 'failed',
    failureClass: run.failureClass,
    reason: run.reason,
    costUsd: run.costUsd,
  };
}

export async function performStep(
  deps: RunnerDeps,
  ctx: LoopContext,
  signal: AbortSignal,
): Promise<StepResult> {
  const step = stepFor(ctx.loop.stage);
  switch (step.kind) {
    case 'start':
      if (ctx.loop.kind !== 'issue') return startPrLoop(ctx);
      return { kind: 'event', event: { type: 'start' }, costUsd: 0, patch: { branch: ctx.branch } };
    case 'wait':
      return { kind: 'wait' };
    case 'none':
      return { kind: 'none' };
    case 'run_checks': {
      const checks = await runChecks(deps, ctx, signal);
      if (checks.cancelled) return { kind: 'stopped' };
      const event: LoopEvent = checks.passed
        ? { type: 'checks_passed' }
        : { type: 'checks_failed', fingerprint: checks.fingerprint, summary: checks.summary };
      return { kind: 'event', event, costUsd: 0 };
    }
    case 'publish':
      return publish(deps, ctx);
    case 'run_role':
      switch (step.role) {
        case 'planner':
          return fromRole(
            await runRole(
              deps,
              ctx,
              'planner',
              { planComments: await lastPlanComments(deps, ctx) },
              signal,
            ),
            (r) => ({ type: 'plan_written', summary: r.summary }),
          );
        case 'plan_reviewer':
          return fromRole(await runRole(deps, ctx, 'plan_reviewer', {}, signal), (r) => ({
            type: 'plan_reviewed',
            verdict: r.verdict,
            summary: r.summary,
            comments: r.comments,
          }));
        case 'worker':
          return fromRole(await runRole(deps, ctx, 'worker', {}, signal), (r) => ({
            type: 'work_done',
            summary: r.summary,
          }));
        case 'fixer':
          return fromRole(
            await runRole(deps, ctx, 'fixer', await fixExtras(deps, ctx), signal),
            (r) => ({ type: 'fix_done', summary: r.summary }),
          );
        case 'reviewer':
          return review(deps, ctx, signal);
        default: {
          const never: never = step.role;
          throw new Error(`unknown role ${String(never)}`);
        }
      }
    default: {
      const never: never = step;
      throw new Error(`unknown step ${JSON.stringify(never)}`);
    }
  }
}

async function lastRoleResult<T>(
  deps: RunnerDeps,
  ctx: LoopContext,
  role: string,
): Promise<T | null> {
  const runs = await deps.store.runs.listRunsForLoop(ctx.loop.id);
  const last = runs.filter((r) => r.role === role && r.status === 'succeeded').at(-1);
  return last ? (last.result as T) : null;
}

async function lastPlanComments(deps: RunnerDeps, ctx: LoopContext): Promise<string[] | undefined> {
  if (ctx.loop.state.planRounds === 0) return undefined;
  const review = await lastRoleResult<{ verdict: string; summary: string; comments: string[] }>(
    deps,
    ctx,
    'plan_reviewer',
  );
  return review && review.verdict === 'revise' ? [review.summary, ...review.comments] : undefined;
}

/** The `output` of the newest `type` event (checks or CI), or ''. */
function outputOf(events: EventRecord[], type: string): string {
  const output = lastOf(events, type)?.data.output;
  return typeof output === 'string' ? output : '';
}

async function fixExtras(deps: RunnerDeps, ctx: LoopContext): Promise<PromptExtras> {
  const events = await loopEvents(deps, ctx.loop.id);
  if (ctx.loop.state.fixOrigin === 'checks') {
    return { fix: { origin: 'checks', output: outputOf(events, 'checks.finished') } };
  }
  const threads = pendingIn(events, 'review.threads', 'review.threads.resolved');
  const changes = pendingIn(events, 'review.changes', 'review.changes.addressed');
  const conflict = pendingIn(events, 'merge.conflict', 'merge.conflict.fixed');
  const conflictBase = conflict ? { conflictBase: prBase(ctx) } : {};
  if (threads || changes) {
    const reviews = (changes?.data.reviews as PendingReview[] | undefined) ?? [];
    return {
      fix: {
        origin: 'review',
        summary: 'People left review feedback on the pull request. Address each point.',
        comments: (threads?.data.comments as ReviewComment[] | undefined) ?? [],
        reviews: reviews.map((r) => ({ author: r.author, body: r.body })),
        ...conflictBase,
      },
    };
  }
  if (conflict) {
    const summary = `The pull request conflicts with ${prBase(ctx)}.`;
    return { fix: { origin: 'review', summary, comments: [], ...conflictBase } };
  }
  const review = await lastRoleResult<ReviewResult>(deps, ctx, 'reviewer');
  const ciOutput = outputOf(events, 'ci.failed');
  // The newer of the last CI failure and the last published review says why the fixer runs now.
  const ciNewer =
    ciOutput !== '' && lastOf(events, 'ci.failed', 'review.published')?.type === 'ci.failed';
  const requested = review?.verdict === 'request_changes' && !ciNewer;
  return {
    fix: {
      origin: 'review',
      summary: requested ? review.summary : 'The pull request checks fail.',
      comments: requested ? review.comments : [],
      ...(ciOutput ? { ciOutput } : {}),
    },
  };
}

/**
 * A PR loop (review, fix) starts by reading its PR: the head branch it works on and the base it
 * compares with. Closed PRs and PRs from forks (Looper cannot push there) stop with a reason.
 */
async function startPrLoop(ctx: LoopContext): Promise<StepResult> {
  const { loop } = ctx;
  const stop = (reason: string): StepResult => ({
    kind: 'failed',
    failureClass: 'needs_human',
    reason,
    costUsd: 0,
  });
  if (ctx.push === null || loop.prNumber === null) {
    return stop(`${loop.kind} loops need a pull request on a hosted forge`);
  }
  const pr = await ctx.forge.getPullRequest(ctx.ref, loop.prNumber);
  if (pr.state === 'merged' || pr.state === 'closed') {
    return stop(`pull request #${pr.number} is ${pr.state}`);
  }
  if (loop.kind === 'review') {
    // A review only reads the head: from `refs/pull/<n>/head`, which GitHub keeps in the base repo
    // for every PR, a fork's too; the local branch is Looper's own name for it.
    const prRef = `pull/${pr.number}/head`;
    return {
      kind: 'event',
      event: { type: 'start' },
      costUsd: 0,
      patch: {
        branch: `looper/pr-${pr.number}`,
        prNumber: pr.number,
        options: { ...loop.options, prBase: pr.base, prRef },
      },
    };
  }
  if (pr.headRepo) {
    return stop(
      `pull request #${pr.number} comes from the fork ${pr.headRepo}: Looper pushes fixes only to branches of ${ctx.project.repo}`,
    );
  }
  return {
    kind: 'event',
    event: { type: 'start' },
    costUsd: 0,
    patch: { branch: pr.head, prNumber: pr.number, options: { ...loop.options, prBase: pr.base } },
  };
}

async function publish(deps: RunnerDeps, ctx: LoopContext): Promise<StepResult> {
  const { loop } = ctx;
  const work = await lastRoleResult<{ summary: string }>(
    deps,
    ctx,
    loop.state.fixRounds > 0 || loop.state.fixOrigin ? 'fixer' : 'worker',
  );
  const summary = work?.summary ?? 'Implementation by Looper.';
  const commit = await deps.git.commitAll({
    path: ctx.worktree,
    message: `${loop.title} (#${loop.number})\n\n${summary}`,
    author: deps.config.loop['commit-author'],
    effectKey: `${loop.id}:publish:${loop.state.fixRounds}`,
  });
  await deps.events.emit({
    loopId: loop.id,
    type: 'git.commit',
    data: { sha: commit.sha, committed: commit.committed, what: 'work' },
  });
  await pushBranch(deps, ctx);
  const prNumber = await ensurePullRequest(deps, ctx, summary);
  await settleFeedback(deps, ctx, commit.sha);
  await ctx.forge.updatePullRequest(ctx.ref, prNumber, { headSha: commit.sha });
  await ctx.forge.setCommitStatus(ctx.ref, commit.sha, {
    context: 'looper/checks',
    state: 'success',
    description:
      ctx.checks.length > 0
        ? `passed: ${ctx.checks.join(', ')}`.slice(0, 140)
        : 'no checks configured',
  });
  return { kind: 'event', event: { type: 'published' }, costUsd: 0, patch: { prNumber } };
}

async function review(
  deps: RunnerDeps,
  ctx: LoopContext,
  signal: AbortSignal,
): Promise<StepResult> {
  // A review loop reviews the head as it is; the PR's author answers CI and people.
  if (ctx.loop.kind !== 'review') {
    const headSha = await deps.git.headSha(ctx.worktree);
    const feedback = await findFeedback(deps, ctx, headSha);
    if (feedback && 'event' in feedback)
      return { kind: 'event', event: feedback.event, costUsd: 0 };
    const waitedMs = deps.clock.now() - ctx.loop.updatedAt;
    if (feedback?.pending && waitedMs < deps.config.loop['ci-wait-minutes'] * 60_000)
      return { kind: 'wait', delayMs: ciPollMs };
  }
  const diff = await deps.git.diff({ path: ctx.worktree, base: ctx.baseBranch });
  const run = await runRole(deps, ctx, 'reviewer', { diff }, signal);
  return fromRole(run, (r) => ({
    type: 'reviewed',
    verdict: r.verdict,
    summary: r.summary,
    comments: r.comments,
    fingerprint:
      r.verdict === 'approve'
        ? ''
        : textFingerprint([r.summary, ...r.comments.map((c) => c.body)].join('\n')),
  }));
}
