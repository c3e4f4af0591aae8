// The tracking comment: one comment on the issue that Looper edits in place (SPEC §3) with the stage
// checklist, the PR, elapsed time, tokens and cost.
import type { LoopKind, Stage } from '../domain/index.js';
import type { LoopRecord } from '../store/index.js';

export const trackingKey = 'looper:tracking';

type Checklist = { stage: Stage; label: string }[];

/** The stages each kind of loop goes through, as people read them. */
const checklists: Record<LoopKind, Checklist> = {
  issue: [
    { stage: 'planning', label: 'Plan written' },
    { stage: 'plan_review', label: 'Plan reviewed' },
    { stage: 'working', label: 'Implemented' },
    { stage: 'checking', label: 'Checks pass' },
    { stage: 'pr_open', label: 'Pull request updated' },
    { stage: 'reviewing', label: 'Reviewed' },
    { stage: 'ready', label: 'Ready for humans' },
  ],
  fix: [
    { stage: 'reviewing', label: 'CI and feedback read' },
    { stage: 'checking', label: 'Checks pass' },
    { stage: 'pr_open', label: 'Fix pushed to the branch' },
    { stage: 'ready', label: 'Green and reviewed: `looper:fix` removed' },
  ],
  review: [
    { stage: 'reviewing', label: 'Head reviewed' },
    { stage: 'ready', label: 'Waiting for the next push (remove `looper:review` to stop)' },
  ],
};

/** Each kind's stages in the order a loop passes them (fixing counts as the review it answers). */
const orders: Record<LoopKind, Stage[]> = {
  issue: [
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
  ],
  fix: ['queued', 'reviewing', 'fixing', 'checking', 'pr_open', 'ready'],
  review: ['queued', 'reviewing', 'ready'],
};

function reached(kind: LoopKind, current: Stage, item: Stage): boolean {
  if (current === 'ready' || current === 'merged') return true;
  const order = orders[kind];
  const at = order.indexOf(kind === 'issue' && current === 'fixing' ? 'reviewing' : current);
  return at > order.indexOf(item);
}

function minutes(ms: number): string {
  const total = Math.max(0, Math.round(ms / 60_000));
  return total < 60 ? `${total} min` : `${Math.floor(total / 60)} h ${total % 60} min`;
}

export function renderTracking(loop: LoopRecord, now: number, prUrl: string | null): string {
  const stage = loop.state.stage;
  const target = loop.kind === 'issue' ? 'this issue' : 'this pull request';
  const doing = loop.kind === 'review' ? 'reviewing' : 'working on';
  const lines = [
    `**Looper** is ${doing} ${target} — stage: \`${stage}\`${loop.state.paused ? ' (paused)' : ''}`,
    '',
    ...checklists[loop.kind].map(
      (item) => `- [${reached(loop.kind, stage, item.stage) ? 'x' : ' '}] ${item.label}`,
    ),
    '',
    `Pull request: ${prUrl ?? 'not yet'} · branch \`${loop.branch ?? '—'}\``,
    `Elapsed: ${minutes(now - loop.state.startedAt)} · tokens in ${loop.inputTokens}, out ${loop.outputTokens} · cost $${loop.costUsd.toFixed(2)}`,
    `Rounds: plan ${loop.state.planRounds}, local fixes ${loop.state.localFixRounds}, fixes ${loop.state.fixRounds}`,
  ];
  if (loop.state.reason) lines.push('', `**Stopped:** ${loop.state.reason}`);
  lines.push('', `<sub>loop ${loop.id}</sub>`);
  return lines.join('\n');
}
