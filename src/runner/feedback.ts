// What people and the forge say about a loop's PR: unresolved review threads, standing
// CHANGES_REQUESTED reviews, a merge conflict with the base, red CI (with the failing jobs' logs).
// The reviewing step and the merge watch of a ready PR both read it; the fixer gets it; after the fix
// is pushed, threads are replied to and resolved and reviewers are told.
import {
  failureFingerprint,
  type LoopEvent,
  type ReviewComment,
  textFingerprint,
} from '../domain/index.js';
import type { EventRecord } from '../store/index.js';
import type { RunnerDeps } from './deps.js';
import type { LoopContext } from './loop-context.js';

/** A finding that sends the loop to the fixer (or `pending` CI, which is waited for). */
export type Feedback = { event: LoopEvent } | { pending: true } | null;

/** The most of each failing job's log, and of all of them, handed to the fixer. */
const logTailChars = 20_000;
const maxLoggedChecks = 5;

/** A loop's events, oldest first: read once per step and asked with the helpers below. */
export function loopEvents(deps: RunnerDeps, loopId: string): Promise<EventRecord[]> {
  return deps.store.events.listEvents({ loopId, limit: 10_000 });
}

/** The newest event of any of `types`, or null. */
export function lastOf(events: EventRecord[], ...types: string[]): EventRecord | null {
  return events.filter((e) => types.includes(e.type)).at(-1) ?? null;
}

/** The last `type` event when no `done` event followed it (threads not yet resolved, …). */
export function pendingIn(events: EventRecord[], type: string, done: string): EventRecord | null {
  const relevant = lastOf(events, type, done);
  return relevant?.type === type ? relevant : null;
}

export interface PendingReview {
  id: number;
  author: string;
  body: string;
}

/**
 * People's unresolved review threads and standing CHANGES_REQUESTED reviews (not yet addressed by a
 * pushed fix) become one `reviewed` event from people, so one fixer run addresses all of it.
 */
async function peopleFeedback(
  deps: RunnerDeps,
  ctx: LoopContext,
  prNumber: number,
): Promise<Feedback> {
  const threads = ctx.reviewThreads ? await ctx.reviewThreads.list(ctx.ref, prNumber) : [];
  const addressed = new Set(
    (await loopEvents(deps, ctx.loop.id))
      .filter((e) => e.type === 'review.changes.addressed')
      .flatMap((e) => (e.data.ids as number[] | undefined) ?? []),
  );
  const standing = ctx.changeRequests ? await ctx.changeRequests(ctx.ref, prNumber) : [];
  const reviews: PendingReview[] = standing
    .filter((r) => !addressed.has(r.id))
    .map((r) => ({ id: r.id, author: r.author, body: r.body }));
  if (threads.length === 0 && reviews.length === 0) return null;
  const comments: ReviewComment[] = threads.map((t) => ({
    path: t.path,
    line: t.line ?? 1,
    body: t.body,
  }));
  if (threads.length > 0) {
    await deps.events.emit({
      loopId: ctx.loop.id,
      type: 'review.threads',
      data: { ids: threads.map((t) => t.id), comments },
    });
  }
  if (reviews.length > 0) {
    await deps.events.emit({
      loopId: ctx.loop.id,
      type: 'review.changes',
      data: { ids: reviews.map((r) => r.id), reviews },
    });
  }
  const parts = [
    ...(threads.length > 0 ? [`${threads.length} unresolved review thread(s)`] : []),
    ...(reviews.length > 0
      ? [`changes requested by ${[...new Set(reviews.map((r) => `@${r.author}`))].join(', ')}`]
      : []),
  ];
  return {
    event: {
      type: 'reviewed',
      source: 'people',
      verdict: 'request_changes',
      summary: `people's feedback: ${parts.join('; ')}`,
      comments,
      fingerprint: textFingerprint(
        [
          ...threads.map((t) => `${t.id}\n${t.body}`),
          ...reviews.map((r) => `${r.id}\n${r.body}`),
        ].join('\n'),
      ),
    },
  };
}

/** A PR that conflicts with its base goes to the fixer, told to merge the (fetched) base. */
async function mergeConflict(
  deps: RunnerDeps,
  ctx: LoopContext,
  prNumber: number,
): Promise<Feedback> {
  if (!ctx.mergeable) return null;
  if ((await ctx.mergeable(ctx.ref, prNumber)) !== false) return null;
  const base = prBase(ctx);
  await deps.events.emit({ loopId: ctx.loop.id, type: 'merge.conflict', data: { base } });
  return {
    event: {
      type: 'ci_failed',
      fingerprint: textFingerprint(`merge conflict with ${base}`),
      summary: `merge conflict with ${base}`,
    },
  };
}

/** The PR's base branch name on the forge (`main`), for people and prompts. */
export function prBase(ctx: LoopContext): string {
  return ctx.loop.options.prBase ?? ctx.project.baseBranch;
}

/** The forge's checks on `sha`: red → the fixer gets the failing jobs' names and their logs. */
async function ciFailure(deps: RunnerDeps, ctx: LoopContext, sha: string): Promise<Feedback> {
  const ci = await ctx.forge.getChecks(ctx.ref, sha);
  if (ci.state === 'pending') return { pending: true };
  if (ci.state !== 'failure') return null;
  const failing = ci.items.filter((i) => i.state === 'failure');
  const lines = failing.map((i) => `${i.name}: ${i.description}`);
  const logs: string[] = [];
  for (const item of failing.slice(0, maxLoggedChecks)) {
    if (!ctx.checkLog || item.id === undefined) continue;
    try {
      const log = await ctx.checkLog(ctx.ref, item);
      if (log) logs.push(`--- log of ${item.name} (last lines) ---\n${log.slice(-logTailChars)}`);
    } catch (error) {
      deps.log.warn(
        { loopId: ctx.loop.id, check: item.name, error: String(error) },
        'could not read a failing check log',
      );
    }
  }
  const output = [...lines, ...logs].join('\n');
  await deps.events.emit({
    loopId: ctx.loop.id,
    type: 'ci.failed',
    data: { sha, output, checks: failing.map((i) => i.name), logs: logs.length },
  });
  return {
    event: {
      type: 'ci_failed',
      // Names and descriptions, plus the failure lines of the logs (timestamps ignored).
      fingerprint: failureFingerprint([...lines, ...logs].join('\n')),
      summary: `CI failed: ${failing.map((i) => i.name).join(', ')}`,
    },
  };
}

/**
 * Everything that sends a PR back to the fixer, in order: people's feedback, a conflict, red CI on
 * `sha`. `pending` when CI has not finished and nothing else was found.
 */
export async function findFeedback(
  deps: RunnerDeps,
  ctx: LoopContext,
  sha: string,
): Promise<Feedback> {
  const prNumber = ctx.loop.prNumber;
  if (prNumber !== null) {
    const found =
      (await peopleFeedback(deps, ctx, prNumber)) ?? (await mergeConflict(deps, ctx, prNumber));
    if (found) return found;
  }
  return ciFailure(deps, ctx, sha);
}

/** After a fix is pushed: reply in each person's thread and resolve it; tell reviewers; mark done. */
export async function settleFeedback(deps: RunnerDeps, ctx: LoopContext, sha: string) {
  const events = await loopEvents(deps, ctx.loop.id);
  const threads = pendingIn(events, 'review.threads', 'review.threads.resolved');
  if (threads && ctx.reviewThreads) {
    const ids = (threads.data.ids as string[] | undefined) ?? [];
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
  const changes = pendingIn(events, 'review.changes', 'review.changes.addressed');
  if (changes && ctx.loop.prNumber !== null) {
    const reviews = (changes.data.reviews as PendingReview[] | undefined) ?? [];
    const ids = reviews.map((r) => r.id);
    const people = [...new Set(reviews.map((r) => `@${r.author}`))].join(' ');
    // Keyed, so a replay after a crash edits the same comment instead of adding another.
    await ctx.forge.upsertComment(
      ctx.ref,
      ctx.loop.prNumber,
      `changes:${ids.join(',')}`,
      `${people} Looper addressed the changes you requested in ${sha}; please review again.`,
    );
    await deps.events.emit({
      loopId: ctx.loop.id,
      type: 'review.changes.addressed',
      data: { ids, sha },
    });
  }
  if (pendingIn(events, 'merge.conflict', 'merge.conflict.fixed')) {
    await deps.events.emit({ loopId: ctx.loop.id, type: 'merge.conflict.fixed', data: { sha } });
  }
}
