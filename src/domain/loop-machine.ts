// The issue loop of SPEC §3 as a pure function: (loop, event) → (loop, effects). No I/O here; the
// runner performs the effects and stores the new state.
import type { FailureClass } from './errors.js';
import type { ReviewComment } from './results.js';
import { isTerminalStage, type Stage } from './stages.js';

export type FixOrigin = 'checks' | 'review';

/**
 * What the loop is for (SPEC §3): `issue` drives an issue to a ready PR; `review` reviews a PR's
 * head once per head SHA; `fix` runs fixing ⇄ reviewing on a PR's own branch until it is green.
 */
export type LoopKind = 'issue' | 'review' | 'fix';

/** The label a person puts on a PR to start a review or fix loop. */
export const prLoopLabels = { review: 'looper:review', fix: 'looper:fix' } as const;

export interface LoopState {
  /** Absent in states stored before PR loops existed: those are issue loops. */
  kind?: LoopKind;
  stage: Stage;
  paused: boolean;
  /** Planner runs that produced a spec. */
  planRounds: number;
  /** Fixer runs for local check failures since the last push. */
  localFixRounds: number;
  /** Fixer runs after the PR was opened (red CI, requested changes). */
  fixRounds: number;
  fixOrigin: FixOrigin | null;
  /** Fingerprint of the last failure seen; the same one twice in a row means no progress. */
  lastFingerprint: string | null;
  /** Attempts at the current stage (1 on entering it; transient failures add one). */
  attempt: number;
  startedAt: number;
  costUsd: number;
  /** Why the loop stopped (needs_human, failed, cancelled). */
  reason: string | null;
  /** The stage a stopped loop stopped at, so `retry --mode resume` can return there. */
  stoppedAt: Stage | null;
}

export interface LoopLimits {
  approval: 'auto' | 'label';
  autoMerge?: boolean;
  maxPlanRounds: number;
  maxLocalFixRounds: number;
  maxFixRounds: number;
  maxWallMinutes: number;
  maxCostUsd: number;
}

export type LoopEvent =
  | { type: 'start' }
  | { type: 'plan_written'; summary: string }
  | { type: 'plan_reviewed'; verdict: 'approve' | 'revise'; summary: string; comments: string[] }
  | { type: 'approved' }
  | { type: 'work_done'; summary: string }
  | { type: 'checks_passed' }
  | { type: 'checks_failed'; fingerprint: string; summary: string }
  | { type: 'published' }
  | {
      type: 'reviewed';
      verdict: 'approve' | 'request_changes';
      summary: string;
      comments: ReviewComment[];
      fingerprint: string;
      /** 'people': the comments are people's review threads, already on the PR (nothing to publish). */
      source?: 'reviewer' | 'people';
    }
  | { type: 'ci_failed'; fingerprint: string; summary: string }
  | { type: 'fix_done'; summary: string }
  | { type: 'step_failed'; failureClass: FailureClass; reason: string }
  | { type: 'cost'; costUsd: number }
  | { type: 'tick' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'cancel'; reason: string }
  | { type: 'retry'; mode: 'resume' | 'restart' }
  | { type: 'pr_merged' }
  | { type: 'pr_closed' }
  /** A review loop's PR has a new head: review it again. */
  | { type: 'pr_updated'; sha: string };

export type LoopEventType = LoopEvent['type'];

export type LoopEffect =
  | { type: 'commit_spec' }
  | {
      type: 'publish_review';
      verdict: 'approve' | 'request_changes';
      summary: string;
      comments: ReviewComment[];
    }
  | { type: 'mark_ready' }
  /** Enables auto-merge on a ready PR when the project opted in (`loop.auto-merge`). */
  | { type: 'auto_merge' }
  | { type: 'remove_label'; label: string }
  | { type: 'set_state_label'; stage: Stage }
  | { type: 'report'; from: Stage; stage: Stage; reason: string | null }
  | { type: 'stop_agent' }
  | { type: 'cleanup_worktree' }
  | { type: 'continue' }
  | { type: 'retry_later'; attempt: number };

export type TransitionResult =
  | { ok: true; loop: LoopState; effects: LoopEffect[] }
  | { ok: false; reason: string };

export interface TransitionContext {
  now: number;
  limits: LoopLimits;
}

/** Which events each stage accepts besides the ones every live loop accepts (see `anyLive`). */
export const allowedEvents = {
  queued: ['start'],
  planning: ['plan_written'],
  plan_review: ['plan_reviewed'],
  awaiting_approval: ['approved'],
  working: ['work_done'],
  checking: ['checks_passed', 'checks_failed'],
  pr_open: ['published'],
  reviewing: ['reviewed', 'ci_failed'],
  fixing: ['fix_done'],
  // `cancel` at ready stops the merge watch (a person's stop, a removed label, a newer loop).
  ready: ['ci_failed', 'reviewed', 'pr_merged', 'pr_closed', 'pr_updated', 'cancel'],
  merged: [],
  needs_human: ['retry', 'pr_merged', 'pr_closed'],
  failed: ['retry'],
  cancelled: [],
} as const satisfies Record<Stage, readonly LoopEventType[]>;

/** Events every non-terminal loop accepts. */
const anyLive = ['step_failed', 'cost', 'tick', 'pause', 'resume', 'cancel'] as const;

export function newLoopState(now: number, kind: LoopKind = 'issue'): LoopState {
  return {
    kind,
    stage: 'queued',
    paused: false,
    planRounds: 0,
    localFixRounds: 0,
    fixRounds: 0,
    fixOrigin: null,
    lastFingerprint: null,
    attempt: 1,
    startedAt: now,
    costUsd: 0,
    reason: null,
    stoppedAt: null,
  };
}

export function accepts(loop: LoopState, type: LoopEventType): boolean {
  const own = allowedEvents[loop.stage] as readonly LoopEventType[];
  if (own.includes(type)) return true;
  return !isTerminalStage(loop.stage) && (anyLive as readonly LoopEventType[]).includes(type);
}

export function transition(
  loop: LoopState,
  event: LoopEvent,
  ctx: TransitionContext,
): TransitionResult {
  if (!accepts(loop, event.type)) {
    return { ok: false, reason: `a loop at stage ${loop.stage} does not accept ${event.type}` };
  }
  if (event.type === 'pause') {
    if (loop.paused) return { ok: false, reason: 'the loop is already paused' };
    return { ok: true, loop: { ...loop, paused: true }, effects: [{ type: 'stop_agent' }] };
  }
  if (event.type === 'resume') {
    if (!loop.paused) return { ok: false, reason: 'the loop is not paused' };
    return { ok: true, loop: { ...loop, paused: false }, effects: [{ type: 'continue' }] };
  }
  if (event.type === 'cancel') {
    return stop(loop, 'cancelled', event.reason, [
      { type: 'stop_agent' },
      { type: 'cleanup_worktree' },
    ]);
  }
  if (event.type === 'cost') {
    const spent = { ...loop, costUsd: loop.costUsd + event.costUsd };
    return { ok: true, loop: spent, effects: [] };
  }
  const overBudget = budgetStop(loop, ctx);
  if (overBudget && !isTerminalStage(loop.stage)) return stop(loop, 'needs_human', overBudget);
  return step(loop, event, ctx);
}

function budgetStop(loop: LoopState, ctx: TransitionContext): string | null {
  const elapsedMinutes = (ctx.now - loop.startedAt) / 60_000;
  if (elapsedMinutes > ctx.limits.maxWallMinutes) {
    return `stopped by loop.max-wall-minutes (${ctx.limits.maxWallMinutes}): ran ${Math.floor(elapsedMinutes)} minutes`;
  }
  if (loop.costUsd > ctx.limits.maxCostUsd) {
    return `stopped by loop.max-cost-usd (${ctx.limits.maxCostUsd}): spent $${loop.costUsd.toFixed(2)}`;
  }
  return null;
}

function step(loop: LoopState, event: LoopEvent, ctx: TransitionContext): TransitionResult {
  const { limits } = ctx;
  switch (event.type) {
    case 'start':
      // PR loops start at the PR: the fix loop looks at CI and feedback first, like a review does.
      return enter(loop, kindOf(loop) === 'issue' ? 'planning' : 'reviewing');
    case 'plan_written':
      return enter({ ...loop, planRounds: loop.planRounds + 1 }, 'plan_review', [
        { type: 'commit_spec' },
      ]);
    case 'plan_reviewed':
      if (event.verdict === 'approve') {
        return enter(loop, limits.approval === 'label' ? 'awaiting_approval' : 'working');
      }
      if (loop.planRounds >= limits.maxPlanRounds) {
        return stop(
          loop,
          'needs_human',
          `stopped by loop.max-plan-rounds (${limits.maxPlanRounds}): the plan reviewer still asks for changes: ${event.summary}`,
        );
      }
      return enter(loop, 'planning');
    case 'approved':
      return enter(loop, 'working');
    case 'work_done':
      return enter(loop, 'checking');
    case 'checks_passed':
      return enter({ ...loop, lastFingerprint: null, localFixRounds: 0 }, 'pr_open');
    case 'checks_failed':
      return toFixing(loop, 'checks', event.fingerprint, event.summary, limits, ctx.now);
    case 'published':
      return enter(loop, 'reviewing');
    case 'reviewed':
      return reviewed(loop, event, limits, ctx.now);
    case 'ci_failed':
      if (kindOf(loop) === 'review') {
        return { ok: false, reason: 'a review loop does not fix: red CI is for the PR author' };
      }
      return toFixing(loop, 'review', event.fingerprint, event.summary, limits, ctx.now);
    case 'fix_done':
      return enter(loop, 'checking');
    case 'step_failed':
      return stepFailed(loop, event);
    case 'tick':
      // Nothing changes; the tracking comment is refreshed (`/looper status`).
      return {
        ok: true,
        loop,
        effects: [{ type: 'report', from: loop.stage, stage: loop.stage, reason: loop.reason }],
      };
    case 'retry':
      return retry(loop, event.mode, ctx.now);
    case 'pr_merged':
      return stop(loop, 'merged', null, [{ type: 'cleanup_worktree' }]);
    case 'pr_closed':
      return stop(loop, 'cancelled', 'the pull request was closed without merging', [
        { type: 'cleanup_worktree' },
      ]);
    case 'pr_updated':
      // Only a review loop reviews each new head; elsewhere a push is judged by the feedback it brings.
      if (kindOf(loop) !== 'review') return { ok: true, loop, effects: [] };
      return enter(loop, 'reviewing');
    case 'pause':
    case 'resume':
    case 'cancel':
    case 'cost':
      return { ok: false, reason: `${event.type} is handled before the stage step` };
    default: {
      const never: never = event;
      return { ok: false, reason: `unknown event ${JSON.stringify(never)}` };
    }
  }
}

export function kindOf(loop: Pick<LoopState, 'kind'>): LoopKind {
  return loop.kind ?? 'issue';
}

/** What reaching `ready` does: an issue loop's PR leaves draft; a fix loop's trigger label goes. */
function readyEffects(loop: LoopState, limits: LoopLimits): LoopEffect[] {
  const kind = kindOf(loop);
  switch (kind) {
    case 'issue':
      return [
        { type: 'mark_ready' },
        ...(limits.autoMerge ? [{ type: 'auto_merge' } as const] : []),
      ];
    case 'fix':
      return [{ type: 'remove_label', label: prLoopLabels.fix }];
    case 'review':
      return [];
    default: {
      const never: never = kind;
      throw new Error(`unknown loop kind ${String(never)}`);
    }
  }
}

function reviewed(
  loop: LoopState,
  event: Extract<LoopEvent, { type: 'reviewed' }>,
  limits: LoopLimits,
  now: number,
): TransitionResult {
  const review: LoopEffect = {
    type: 'publish_review',
    verdict: event.verdict,
    summary: event.summary,
    comments: event.comments,
  };
  if (kindOf(loop) === 'review') {
    // A review loop publishes its verdict on the head and waits for the next one at `ready`.
    if (event.source === 'people') return { ok: false, reason: 'a review loop does not fix' };
    return enter({ ...loop, lastFingerprint: null }, 'ready', [review]);
  }
  if (event.verdict === 'approve') {
    if (loop.stage === 'ready') return { ok: true, loop, effects: [] };
    return enter({ ...loop, lastFingerprint: null }, 'ready', [
      review,
      ...readyEffects(loop, limits),
    ]);
  }
  const next = toFixing(loop, 'review', event.fingerprint, event.summary, limits, now);
  if (!next.ok || event.source === 'people') return next;
  return { ok: true, loop: next.loop, effects: [review, ...next.effects] };
}

function toFixing(
  loop: LoopState,
  origin: FixOrigin,
  fingerprint: string,
  summary: string,
  limits: LoopLimits,
  now = loop.startedAt,
): TransitionResult {
  if (fingerprint !== '' && fingerprint === loop.lastFingerprint) {
    return stop(loop, 'needs_human', `no progress: the same failure twice in a row (${summary})`);
  }
  // A ready PR sent back by people or CI (merge watch) starts a new stretch of work: the wall clock
  // counts from now, not from when the loop first started; rounds and cost stay cumulative.
  const startedAt = loop.stage === 'ready' ? now : loop.startedAt;
  const withPrint = { ...loop, lastFingerprint: fingerprint, startedAt };
  if (origin === 'checks') {
    if (loop.localFixRounds >= limits.maxLocalFixRounds) {
      return stop(
        withPrint,
        'needs_human',
        `stopped by loop.max-local-fix-rounds (${limits.maxLocalFixRounds}): checks still fail: ${summary}`,
      );
    }
    return enter(
      { ...withPrint, localFixRounds: loop.localFixRounds + 1, fixOrigin: 'checks' },
      'fixing',
    );
  }
  if (loop.fixRounds >= limits.maxFixRounds) {
    return stop(
      withPrint,
      'needs_human',
      `stopped by loop.max-fix-rounds (${limits.maxFixRounds}): ${summary}`,
    );
  }
  return enter({ ...withPrint, fixRounds: loop.fixRounds + 1, fixOrigin: 'review' }, 'fixing');
}

function stepFailed(
  loop: LoopState,
  event: Extract<LoopEvent, { type: 'step_failed' }>,
): TransitionResult {
  switch (event.failureClass) {
    case 'transient': {
      const attempt = loop.attempt + 1;
      return { ok: true, loop: { ...loop, attempt }, effects: [{ type: 'retry_later', attempt }] };
    }
    case 'needs_human':
      return stop(loop, 'needs_human', event.reason);
    case 'fatal':
      return stop(loop, 'failed', event.reason);
    default: {
      const never: never = event.failureClass;
      return { ok: false, reason: `unknown failure class ${String(never)}` };
    }
  }
}

function retry(loop: LoopState, mode: 'resume' | 'restart', now: number): TransitionResult {
  const counters = {
    planRounds: 0,
    localFixRounds: 0,
    fixRounds: 0,
    lastFingerprint: null,
    startedAt: now,
  };
  const cleared = {
    ...loop,
    ...counters,
    reason: null,
    stoppedAt: null,
    paused: false,
    fixOrigin: loop.fixOrigin,
  };
  const target: Stage = mode === 'restart' ? 'planning' : (loop.stoppedAt ?? 'planning');
  return enter(cleared, target);
}

function enter(loop: LoopState, stage: Stage, before: LoopEffect[] = []): TransitionResult {
  const effects: LoopEffect[] = [...before];
  if (loop.stage !== stage) effects.push({ type: 'set_state_label', stage });
  effects.push({ type: 'report', from: loop.stage, stage, reason: null }, { type: 'continue' });
  return { ok: true, loop: { ...loop, stage, attempt: 1 }, effects };
}

function stop(
  loop: LoopState,
  stage: Stage,
  reason: string | null,
  before: LoopEffect[] = [],
): TransitionResult {
  const stoppedAt = isTerminalStage(loop.stage) ? loop.stoppedAt : loop.stage;
  const effects: LoopEffect[] = [
    ...before,
    { type: 'set_state_label', stage },
    { type: 'report', from: loop.stage, stage, reason },
  ];
  return { ok: true, loop: { ...loop, stage, reason, stoppedAt, paused: false }, effects };
}
