// The tracking comment: one comment on the issue that Looper edits in place (SPEC §3) with the stage
// checklist, the PR, elapsed time, tokens and cost.
import type { Stage } from '../domain/index.js';
import type { LoopRecord } from '../store/index.js';

export const trackingKey = 'looper:tracking';

const checklist: { stage: Stage; label: string }[] = [
  { stage: 'planning', label: 'Plan written' },
  { stage: 'plan_review', label: 'Plan reviewed' },
  { stage: 'working', label: 'Implemented' },
  { stage: 'checking', label: 'Checks pass' },
  { stage: 'pr_open', label: 'Pull request updated' },
  { stage: 'reviewing', label: 'Reviewed' },
  { stage: 'ready', label: 'Ready for humans' },
];

const order: Stage[] = [
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
];

function reached(current: Stage, item: Stage): boolean {
  const at = order.indexOf(current === 'fixing' ? 'reviewing' : current);
  return at > order.indexOf(item) || current === 'ready' || current === 'merged';
}

function minutes(ms: number): string {
  const total = Math.max(0, Math.round(ms / 60_000));
  return total < 60 ? `${total} min` : `${Math.floor(total / 60)} h ${total % 60} min`;
}

export function renderTracking(loop: LoopRecord, now: number, prUrl: string | null): string {
  const stage = loop.state.stage;
  const lines = [
    `**Looper** is working on this issue — stage: \`${stage}\`${loop.state.paused ? ' (paused)' : ''}`,
    '',
    ...checklist.map((item) => `- [${reached(stage, item.stage) ? 'x' : ' '}] ${item.label}`),
    '',
    `Pull request: ${prUrl ?? 'not yet'} · branch \`${loop.branch ?? '—'}\``,
    `Elapsed: ${minutes(now - loop.state.startedAt)} · tokens in ${loop.inputTokens}, out ${loop.outputTokens} · cost $${loop.costUsd.toFixed(2)}`,
    `Rounds: plan ${loop.state.planRounds}, local fixes ${loop.state.localFixRounds}, fixes ${loop.state.fixRounds}`,
  ];
  if (loop.state.reason) lines.push('', `**Stopped:** ${loop.state.reason}`);
  lines.push('', `<sub>loop ${loop.id}</sub>`);
  return lines.join('\n');
}
