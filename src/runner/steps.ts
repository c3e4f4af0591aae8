// One step per stage: run the stage's role or checks, or publish, and turn the outcome into the event
// the state machine takes next.
import {
  type LoopEvent,
  type ReviewComment,
  type ReviewResult,
  stepFor,
  textFingerprint,
} from '../domain/index.js';
import type { EventRecord } from '../store/index.js';
import type { RunnerDeps } from './deps.js';
import { ensurePullRequest, pushBranch } from './effects.js';
import type { LoopContext } from './loop-context.js';
import { runChecks } from './run-checks.js';
import { type PromptExtras, type RoleRun, runRole } from './run-role.js';

export type StepResult =
  | {
      kind: 'event';
      event: LoopEvent;
      costUsd: number;
      patch?: { branch?: string; prNumber?: number };
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

async function lastChecksOutput(deps: RunnerDeps, ctx: LoopContext, type: string): Promise<string> {
  const events = await deps.store.events.listEvents({ loopId: ctx.loop.id, limit: 10_000 });
  const last = events.filter((e) => e.type === type).at(-1);
  return typeof last?.data.output === 'string' ? last.data.output : '';
}

async function fixExtras(deps: RunnerDeps, ctx: LoopContext): Promise<PromptExtras> {
  if (ctx.loop.state.fixOrigin === 'checks') {
    return {
      fix: { origin: 'checks', output: await lastChecksOutput(deps, ctx, 'checks.finished') },
    };
  }
  const people = await pendingEvent(deps, ctx, 'review.threads', 'review.threads.resolved');
  const conflict = await pendingEvent(deps, ctx, 'merge.conflict', 'merge.conflict.fixed');
  const conflictBase = conflict ? { conflictBase: ctx.project.baseBranch } : {};
  if (people) {
    return {
      fix: {
        origin: 'review',
        summary: 'People left review comments on the pull request. Address each one.',
        comments: (people.data.comments as ReviewComment[] | undefined) ?? [],
        ...conflictBase,
      },
    };
  }
  if (conflict) {
    const summary = `The pull request conflicts with ${ctx.project.baseBranch}.`;
    return { fix: { origin: 'review', summary, comments: [], ...conflictBase } };
  }
  const review = await lastRoleResult<ReviewResult>(deps, ctx, 'reviewer');
  const ciOutput = await lastChecksOutput(deps, ctx, 'ci.failed');
  const requested = review?.verdict === 'request_changes';
  return {
    fix: {
      origin: 'review',
      summary: requested ? review.summary : 'The pull request checks fail.',
      comments: requested ? review.comments : [],
      ...(ciOutput ? { ciOutput } : {}),
    },
  };
}

/** The last `type` event when no `done` event followed it (threads not yet resolved, …). */
async function pendingEvent(
  deps: RunnerDeps,
  ctx: LoopContext,
  type: string,
  done: string,
): Promise<EventRecord | null> {
  const events = await deps.store.events.listEvents({ loopId: ctx.loop.id, limit: 10_000 });
  const relevant = events.filter((e) => e.type === type || e.type === done).at(-1);
  return relevant?.type === type ? relevant : null;
}

/** After a fix is pushed: reply in each person's thread it addressed, and resolve the thread. */
async function settleReviewFeedback(deps: RunnerDeps, ctx: LoopContext, sha: string) {
  const people = await pendingEvent(deps, ctx, 'review.threads', 'review.threads.resolved');
  if (people && ctx.reviewThreads) {
    const ids = (people.data.ids as string[] | undefined) ?? [];
    for (const id of ids) {
      await ctx.reviewThreads.reply(ctx.ref, id, `Addressed in ${sha}.`);
      await ctx.reviewThreads.resolve(ctx.ref, id);
    }
    await deps.events.emit({
      loopId: ctx.loop.id,
      type: 'review.threads.resolved',
      data: { ids, sha },
    });
  }
  if (await pendingEvent(deps, ctx, 'merge.conflict', 'merge.conflict.fixed')) {
    await deps.events.emit({ loopId: ctx.loop.id, type: 'merge.conflict.fixed', data: { sha } });
  }
}

/** People's unresolved review threads on the PR send the loop to the fixer before any review. */
async function peopleThreads(deps: RunnerDeps, ctx: LoopContext): Promise<StepResult | null> {
  const prNumber = ctx.loop.prNumber;
  if (!ctx.reviewThreads || prNumber === null) return null;
  const threads = await ctx.reviewThreads.list(ctx.ref, prNumber);
  if (threads.length === 0) return null;
  const comments: ReviewComment[] = threads.map((t) => ({
    path: t.path,
    line: t.line ?? 1,
    body: t.body,
  }));
  await deps.events.emit({
    loopId: ctx.loop.id,
    type: 'review.threads',
    data: { ids: threads.map((t) => t.id), comments },
  });
  const event: LoopEvent = {
    type: 'reviewed',
    source: 'people',
    verdict: 'request_changes',
    summary: `${threads.length} unresolved review thread(s) from people`,
    comments,
    fingerprint: textFingerprint(threads.map((t) => `${t.id}\n${t.body}`).join('\n')),
  };
  return { kind: 'event', event, costUsd: 0 };
}

/** A PR that conflicts with its base goes to the fixer, told to merge the (fetched) base. */
async function mergeConflict(deps: RunnerDeps, ctx: LoopContext): Promise<StepResult | null> {
  const prNumber = ctx.loop.prNumber;
  if (!ctx.mergeable || prNumber === null) return null;
  if ((await ctx.mergeable(ctx.ref, prNumber)) !== false) return null;
  const base = ctx.project.baseBranch;
  await deps.events.emit({ loopId: ctx.loop.id, type: 'merge.conflict', data: { base } });
  return {
    kind: 'event',
    event: {
      type: 'ci_failed',
      fingerprint: textFingerprint(`merge conflict with ${base}`),
      summary: `merge conflict with ${base}`,
    },
    costUsd: 0,
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
  await settleReviewFeedback(deps, ctx, commit.sha);
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
  const feedback = (await peopleThreads(deps, ctx)) ?? (await mergeConflict(deps, ctx));
  if (feedback) return feedback;
  const headSha = await deps.git.headSha(ctx.worktree);
  const ci = await ctx.forge.getChecks(ctx.ref, headSha);
  if (ci.state === 'failure') {
    const failing = ci.items.filter((i) => i.state === 'failure');
    const output = failing.map((i) => `${i.name}: ${i.description}`).join('\n');
    await deps.events.emit({
      loopId: ctx.loop.id,
      type: 'ci.failed',
      data: { sha: headSha, output },
    });
    return {
      kind: 'event',
      event: {
        type: 'ci_failed',
        fingerprint: textFingerprint(output),
        summary: `CI failed: ${failing.map((i) => i.name).join(', ')}`,
      },
      costUsd: 0,
    };
  }
  const waitedMs = deps.clock.now() - ctx.loop.updatedAt;
  if (ci.state === 'pending' && waitedMs < deps.config.loop['ci-wait-minutes'] * 60_000)
    return { kind: 'wait', delayMs: ciPollMs };
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
