// The stages a loop moves through (SPEC §3), as data.

export const stages = [
  'queued',
  'planning',
  'plan_review',
  'awaiting_approval',
  'working',
  'checking',
  'pr_open',
  'reviewing',
  'fixing',
  'ready',
  'merged',
  'needs_human',
  'failed',
  'cancelled',
] as const;
export type Stage = (typeof stages)[number];

export const terminalStages = ['ready', 'merged', 'needs_human', 'failed', 'cancelled'] as const;
export type TerminalStage = (typeof terminalStages)[number];

export function isStage(value: string): value is Stage {
  return (stages as readonly string[]).includes(value);
}

export function isTerminalStage(stage: Stage): stage is TerminalStage {
  return (terminalStages as readonly string[]).includes(stage);
}

/** State labels of SPEC §3: exactly one at a time, managed by Looper. */
export const stateLabels = {
  queued: null,
  planning: 'looper:planning',
  plan_review: 'looper:planning',
  awaiting_approval: 'looper:planning',
  working: 'looper:working',
  checking: 'looper:working',
  pr_open: 'looper:working',
  reviewing: 'looper:working',
  fixing: 'looper:fixing',
  ready: 'looper:done',
  merged: 'looper:done',
  needs_human: 'looper:needs-human',
  failed: 'looper:failed',
  cancelled: null,
} as const satisfies Record<Stage, string | null>;

/** What the runner does when a loop is claimed at a stage. */
export type StepKind =
  | { kind: 'start' }
  | { kind: 'run_role'; role: 'planner' | 'plan_reviewer' | 'worker' | 'reviewer' | 'fixer' }
  | { kind: 'run_checks' }
  | { kind: 'publish' }
  | { kind: 'wait' }
  | { kind: 'none' };

export function stepFor(stage: Stage): StepKind {
  switch (stage) {
    case 'queued':
      return { kind: 'start' };
    case 'planning':
      return { kind: 'run_role', role: 'planner' };
    case 'plan_review':
      return { kind: 'run_role', role: 'plan_reviewer' };
    case 'awaiting_approval':
      return { kind: 'wait' };
    case 'working':
      return { kind: 'run_role', role: 'worker' };
    case 'checking':
      return { kind: 'run_checks' };
    case 'pr_open':
      return { kind: 'publish' };
    case 'reviewing':
      return { kind: 'run_role', role: 'reviewer' };
    case 'fixing':
      return { kind: 'run_role', role: 'fixer' };
    case 'ready':
    case 'merged':
    case 'needs_human':
    case 'failed':
    case 'cancelled':
      return { kind: 'none' };
    default: {
      const never: never = stage;
      throw new Error(`unknown stage ${String(never)}`);
    }
  }
}
