import { describe, expect, it } from 'vitest';
import {
  accepts,
  allowedEvents,
  type LoopEvent,
  type LoopEventType,
  type LoopLimits,
  type LoopState,
  newLoopState,
  transition,
} from './loop-machine.js';
import { type Stage, stages, terminalStages } from './stages.js';

const limits: LoopLimits = {
  approval: 'auto',
  maxPlanRounds: 2,
  maxLocalFixRounds: 3,
  maxFixRounds: 5,
  maxWallMinutes: 240,
  maxCostUsd: 10,
};
const t0 = 1_000_000;
const ctx = { now: t0 + 1000, limits };

const sample: Record<LoopEventType, LoopEvent> = {
  start: { type: 'start' },
  plan_written: { type: 'plan_written', summary: 'spec' },
  plan_reviewed: { type: 'plan_reviewed', verdict: 'approve', summary: 'ok', comments: [] },
  approved: { type: 'approved' },
  work_done: { type: 'work_done', summary: 'done' },
  checks_passed: { type: 'checks_passed' },
  checks_failed: { type: 'checks_failed', fingerprint: 'fp-1', summary: 'test a failed' },
  published: { type: 'published' },
  reviewed: {
    type: 'reviewed',
    verdict: 'approve',
    summary: 'lgtm',
    comments: [],
    fingerprint: '',
  },
  ci_failed: { type: 'ci_failed', fingerprint: 'ci-1', summary: 'ci red' },
  fix_done: { type: 'fix_done', summary: 'fixed' },
  step_failed: { type: 'step_failed', failureClass: 'transient', reason: 'agent crashed' },
  cost: { type: 'cost', costUsd: 0.5 },
  tick: { type: 'tick' },
  pause: { type: 'pause' },
  resume: { type: 'resume' },
  cancel: { type: 'cancel', reason: 'asked' },
  retry: { type: 'retry', mode: 'resume' },
  pr_merged: { type: 'pr_merged' },
  pr_closed: { type: 'pr_closed' },
  pr_updated: { type: 'pr_updated', sha: 'abc123' },
};

function at(stage: Stage, patch: Partial<LoopState> = {}): LoopState {
  return { ...newLoopState(t0), stage, ...patch };
}

function run(loop: LoopState, ...events: LoopEvent[]): LoopState {
  let current = loop;
  for (const event of events) {
    const result = transition(current, event, ctx);
    if (!result.ok) throw new Error(result.reason);
    current = result.loop;
  }
  return current;
}

const universal: LoopEventType[] = ['step_failed', 'cost', 'tick', 'pause', 'resume', 'cancel'];

describe('loop state machine: the transition table', () => {
  for (const stage of stages) {
    for (const type of Object.keys(sample) as LoopEventType[]) {
      const own = (allowedEvents[stage] as readonly LoopEventType[]).includes(type);
      const live =
        !(terminalStages as readonly Stage[]).includes(stage) && universal.includes(type);
      const allowed = own || live;
      it(`${stage} ${allowed ? 'accepts' : 'refuses'} ${type}`, () => {
        expect(accepts(at(stage), type)).toBe(allowed);
        const loop = type === 'resume' ? at(stage, { paused: true }) : at(stage);
        const result = transition(loop, sample[type], ctx);
        expect(result.ok).toBe(allowed);
        if (!result.ok) expect(result.reason).toContain(stage);
      });
    }
  }
});

describe('loop state machine: the happy path', () => {
  it('goes from queued to ready through every stage', () => {
    const seen: Stage[] = [];
    let loop = newLoopState(t0);
    const events: LoopEvent[] = [
      sample.start,
      sample.plan_written,
      sample.plan_reviewed,
      sample.work_done,
      sample.checks_passed,
      sample.published,
      sample.reviewed,
    ];
    for (const event of events) {
      loop = run(loop, event);
      seen.push(loop.stage);
    }
    expect(seen).toEqual([
      'planning',
      'plan_review',
      'working',
      'checking',
      'pr_open',
      'reviewing',
      'ready',
    ]);
  });

  it('commits the spec when the plan is written and marks the PR ready on approval', () => {
    const planned = transition(at('planning'), sample.plan_written, ctx);
    expect(planned.ok && planned.effects.map((e) => e.type)).toContain('commit_spec');
    const approved = transition(at('reviewing'), sample.reviewed, ctx);
    expect(approved.ok && approved.effects.map((e) => e.type)).toEqual(
      expect.arrayContaining(['publish_review', 'mark_ready', 'set_state_label']),
    );
  });

  it('waits for approval when loop.approval is label', () => {
    const result = transition(at('plan_review'), sample.plan_reviewed, {
      ...ctx,
      limits: { ...limits, approval: 'label' },
    });
    expect(result.ok && result.loop.stage).toBe('awaiting_approval');
    expect(run(at('awaiting_approval'), sample.approved).stage).toBe('working');
  });
});

describe('loop state machine: budgets', () => {
  it('sends a revised plan back to the planner until max-plan-rounds', () => {
    const revise: LoopEvent = {
      type: 'plan_reviewed',
      verdict: 'revise',
      summary: 'too vague',
      comments: ['x'],
    };
    expect(run(at('plan_review', { planRounds: 1 }), revise).stage).toBe('planning');
    const stopped = run(at('plan_review', { planRounds: 2 }), revise);
    expect(stopped.stage).toBe('needs_human');
    expect(stopped.reason).toContain('max-plan-rounds');
  });

  it('bounds local fixes by max-local-fix-rounds', () => {
    const fixing = run(at('checking', { localFixRounds: 2 }), sample.checks_failed);
    expect(fixing.stage).toBe('fixing');
    expect(fixing.fixOrigin).toBe('checks');
    expect(fixing.localFixRounds).toBe(3);
    const stopped = run(at('checking', { localFixRounds: 3 }), sample.checks_failed);
    expect(stopped.stage).toBe('needs_human');
    expect(stopped.reason).toContain('max-local-fix-rounds');
  });

  it('bounds fixes after the PR by max-fix-rounds', () => {
    expect(run(at('reviewing', { fixRounds: 4 }), sample.ci_failed).stage).toBe('fixing');
    const stopped = run(at('reviewing', { fixRounds: 5 }), sample.ci_failed);
    expect(stopped.stage).toBe('needs_human');
    expect(stopped.reason).toContain('max-fix-rounds');
  });

  it('stops at max-wall-minutes', () => {
    const late = { now: t0 + 241 * 60_000, limits };
    const result = transition(at('working'), sample.work_done, late);
    expect(result.ok && result.loop.stage).toBe('needs_human');
    expect(result.ok && result.loop.reason).toContain('max-wall-minutes');
  });

  it('stops at max-cost-usd once the spend passes the limit', () => {
    const spent = run(at('working'), { type: 'cost', costUsd: 10.5 });
    expect(spent.costUsd).toBe(10.5);
    const result = run(spent, sample.work_done);
    expect(result.stage).toBe('needs_human');
    expect(result.reason).toContain('max-cost-usd');
  });

  it('does not stop a loop that is within every budget', () => {
    expect(run(at('working', { costUsd: 9.99 }), sample.work_done).stage).toBe('checking');
  });
});

describe('loop state machine: no progress', () => {
  it('stops when the same failure fingerprint comes twice in a row', () => {
    const first = run(at('checking'), sample.checks_failed);
    const back = run(first, sample.fix_done);
    expect(back.stage).toBe('checking');
    const stopped = run(back, sample.checks_failed);
    expect(stopped.stage).toBe('needs_human');
    expect(stopped.reason).toContain('no progress');
  });

  it('keeps going when the failure changes', () => {
    const first = run(at('checking'), sample.checks_failed, sample.fix_done);
    const other = run(first, {
      type: 'checks_failed',
      fingerprint: 'fp-2',
      summary: 'test b failed',
    });
    expect(other.stage).toBe('fixing');
  });

  it('forgets the fingerprint once checks pass', () => {
    const passed = run(at('checking', { lastFingerprint: 'fp-1' }), sample.checks_passed);
    expect(passed.lastFingerprint).toBeNull();
  });
});

describe('loop state machine: failures and control', () => {
  it('retries a transient failure at the same stage with the next attempt', () => {
    const result = transition(at('working'), sample.step_failed, ctx);
    expect(result.ok && result.loop.stage).toBe('working');
    expect(result.ok && result.loop.attempt).toBe(2);
    expect(result.ok && result.effects).toEqual([{ type: 'retry_later', attempt: 2 }]);
  });

  it('sends needs_human and fatal failures to their stages with the reason', () => {
    const human = run(at('working'), {
      type: 'step_failed',
      failureClass: 'needs_human',
      reason: 'dirty',
    });
    expect(human).toMatchObject({ stage: 'needs_human', reason: 'dirty', stoppedAt: 'working' });
    const fatal = run(at('working'), {
      type: 'step_failed',
      failureClass: 'fatal',
      reason: 'repo gone',
    });
    expect(fatal).toMatchObject({ stage: 'failed', reason: 'repo gone' });
  });

  it('pauses and resumes at the same stage', () => {
    const paused = run(at('working'), sample.pause);
    expect(paused).toMatchObject({ stage: 'working', paused: true });
    expect(transition(paused, sample.pause, ctx).ok).toBe(false);
    expect(run(paused, sample.resume)).toMatchObject({ stage: 'working', paused: false });
    expect(transition(at('working'), sample.resume, ctx).ok).toBe(false);
  });

  it('cancels a live loop and stops its agent', () => {
    const result = transition(at('fixing'), sample.cancel, ctx);
    expect(result.ok && result.loop.stage).toBe('cancelled');
    expect(result.ok && result.effects.map((e) => e.type)).toContain('stop_agent');
  });

  it('retries a stopped loop where it stopped, or from planning on restart', () => {
    const stopped = run(at('checking', { fixRounds: 5 }), {
      type: 'step_failed',
      failureClass: 'needs_human',
      reason: 'x',
    });
    const resumed = run(stopped, { type: 'retry', mode: 'resume' });
    expect(resumed).toMatchObject({ stage: 'checking', fixRounds: 0, reason: null });
    expect(run(stopped, { type: 'retry', mode: 'restart' }).stage).toBe('planning');
  });

  it('sends a ready loop back to fixing on red CI and ends it on merge', () => {
    expect(run(at('ready'), sample.ci_failed).stage).toBe('fixing');
    expect(run(at('ready'), sample.pr_merged).stage).toBe('merged');
    expect(run(at('ready'), sample.pr_closed).stage).toBe('cancelled');
  });

  it('publishes a requested-changes review and goes to fixing', () => {
    const event: LoopEvent = {
      type: 'reviewed',
      verdict: 'request_changes',
      summary: 'missing test',
      comments: [{ path: 'a.js', line: 1, body: 'add a test' }],
      fingerprint: 'rv-1',
    };
    const result = transition(at('reviewing'), event, ctx);
    expect(result.ok && result.loop).toMatchObject({
      stage: 'fixing',
      fixOrigin: 'review',
      fixRounds: 1,
    });
    expect(result.ok && result.effects[0]).toMatchObject({
      type: 'publish_review',
      verdict: 'request_changes',
    });
  });

  it('restarts the wall clock when a ready PR goes back to fixing, keeping rounds and cost', () => {
    const old = at('ready', { startedAt: t0 - 10 * 24 * 60 * 60_000, fixRounds: 2, costUsd: 3 });
    const later = { now: t0 + 5000, limits };
    const result = transition(old, sample.ci_failed, later);
    expect(result.ok && result.loop).toMatchObject({
      stage: 'fixing',
      startedAt: t0 + 5000,
      fixRounds: 3,
      costUsd: 3,
    });
    // The next step is within the wall budget again.
    const fixed = result.ok ? transition(result.loop, sample.fix_done, later) : null;
    expect(fixed?.ok && fixed.loop.stage).toBe('checking');
  });

  it('enables auto-merge at ready only when the project opted in', () => {
    const approve = sample.reviewed;
    const plain = transition(at('reviewing'), approve, ctx);
    expect(plain.ok && plain.effects.map((e) => e.type)).not.toContain('auto_merge');
    const opted = transition(at('reviewing'), approve, {
      ...ctx,
      limits: { ...limits, autoMerge: true },
    });
    expect(opted.ok && opted.effects.map((e) => e.type)).toEqual([
      'publish_review',
      'mark_ready',
      'auto_merge',
      'set_state_label',
      'report',
      'continue',
    ]);
  });
});

describe('loop state machine: pull request loops', () => {
  const review = (patch: Partial<LoopState> = {}) => ({ ...newLoopState(t0, 'review'), ...patch });
  const fix = (patch: Partial<LoopState> = {}) => ({ ...newLoopState(t0, 'fix'), ...patch });
  const requestChanges: LoopEvent = {
    type: 'reviewed',
    verdict: 'request_changes',
    summary: 'missing test',
    comments: [{ path: 'a.js', line: 1, body: 'add a test' }],
    fingerprint: 'rv-1',
  };

  it('a review loop starts at reviewing and publishes each verdict, then waits at ready', () => {
    expect(run(review(), sample.start).stage).toBe('reviewing');
    const result = transition(review({ stage: 'reviewing' }), requestChanges, ctx);
    expect(result.ok && result.loop.stage).toBe('ready');
    expect(result.ok && result.effects.map((e) => e.type)).toEqual([
      'publish_review',
      'set_state_label',
      'report',
      'continue',
    ]);
    // Never fixes: red CI and people's threads are for the PR's author.
    expect(transition(review({ stage: 'reviewing' }), sample.ci_failed, ctx).ok).toBe(false);
    expect(
      transition(review({ stage: 'ready' }), { ...requestChanges, source: 'people' }, ctx).ok,
    ).toBe(false);
  });

  it('a review loop reviews again when its PR gets a new head', () => {
    expect(run(review({ stage: 'ready' }), sample.pr_updated).stage).toBe('reviewing');
    // An issue loop at ready ignores a new head.
    const issue = transition(at('ready'), sample.pr_updated, ctx);
    expect(issue.ok && issue.loop.stage).toBe('ready');
    expect(issue.ok && issue.effects).toEqual([]);
  });

  it('a fix loop goes fixing ⇄ reviewing and removes looper:fix when green', () => {
    expect(run(fix(), sample.start).stage).toBe('reviewing');
    expect(run(fix({ stage: 'reviewing' }), sample.ci_failed).stage).toBe('fixing');
    const done = transition(fix({ stage: 'reviewing' }), sample.reviewed, ctx);
    expect(done.ok && done.loop.stage).toBe('ready');
    expect(done.ok && done.effects).toContainEqual({ type: 'remove_label', label: 'looper:fix' });
    expect(done.ok && done.effects.map((e) => e.type)).not.toContain('mark_ready');
  });
});
